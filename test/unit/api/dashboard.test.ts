import { describe, expect, it } from 'vitest';
import { dashboardHtml } from '../../../api/dashboard.js';

describe('dashboard page', () => {
  const html = dashboardHtml({ refreshMs: 4321 });

  it('carries a script that parses, with the refresh interval filled in', () => {
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(1);
    expect(() => new Function(scripts[0])).not.toThrow();
    expect(scripts[0]).toContain('var REFRESH = 4321;');
  });

  it('loads nothing from elsewhere and never writes API text as HTML', () => {
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it('clamps the refresh interval', () => {
    expect(dashboardHtml({ refreshMs: 10 })).toContain('var REFRESH = 500;');
  });
});
