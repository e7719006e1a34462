import type { Alert } from '../../pipeline/ports.js';
import { notificationTitle, seriesLink, type Notification } from '../alerting/notification.js';

/** A Slack message: `text` is the notification fallback, `blocks` the Block Kit layout. */
export interface SlackMessage {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

const MAX_TEXT = 2900; // Slack's limit for a section's text is 3000 characters
const MAX_LISTED = 10;

function clip(s: string, max = MAX_TEXT): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function num(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  return Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(Number(v.toPrecision(6)));
}

function labelsText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length ? entries.map(([k, v]) => `\`${k}=${v}\``).join(' ') : '_no labels_';
}

function oneAlertBlocks(a: Alert): Array<Record<string, unknown>> {
  return [
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Metric*\n${clip(a.series.name, 500)} (${a.series.source})` },
        { type: 'mrkdwn', text: `*Severity*\n${a.severity}` },
        { type: 'mrkdwn', text: `*Value*\n${num(a.value)}` },
        { type: 'mrkdwn', text: `*Expected*\n${num(a.expected.lo)} … ${num(a.expected.hi)}` },
        { type: 'mrkdwn', text: `*Score*\n${num(a.score)}` },
        { type: 'mrkdwn', text: `*Detector*\n${clip(a.detector, 500)}` },
      ],
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: clip(labelsText(a.series.labels)) }] },
    ...(a.explanation ? [{ type: 'section', text: { type: 'mrkdwn', text: clip(a.explanation) } }] : []),
  ];
}

/** Block Kit message for a notification: one alert in detail, or a group summary listing members. */
export function slackMessage(n: Notification): SlackMessage {
  const title = notificationTitle(n);
  const icon = n.state === 'firing' ? (n.alerts[0]?.severity === 'critical' ? ':rotating_light:' : ':warning:') : ':white_check_mark:';
  const blocks: Array<Record<string, unknown>> = [{ type: 'header', text: { type: 'plain_text', text: clip(`${title}`, 150), emoji: true } }];
  const first = n.alerts[0];
  if (n.count === 1 && first) {
    blocks.push(...oneAlertBlocks(first));
  } else {
    if (Object.keys(n.groupLabels).length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(`Group ${labelsText(n.groupLabels)}`) }] });
    const lines = n.alerts.slice(0, MAX_LISTED).map((a) => `• *${a.series.name}* ${labelsText(a.series.labels)} value ${num(a.value)} (expected ${num(a.expected.lo)} … ${num(a.expected.hi)}), score ${num(a.score)} — ${a.detector}`);
    const more = n.count - Math.min(n.alerts.length, MAX_LISTED);
    if (more > 0) lines.push(`…and ${more} more`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(lines.join('\n')) } });
  }
  if (first) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open dashboard' }, url: seriesLink(n.dashboardUrl, first) }],
    });
  }
  return { text: clip(`${icon} ${title}`), blocks };
}
