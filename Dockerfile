# seismo: one image, every role (`seismo start --role ...`).
#   docker build -t seismo .
#   docker run --rm seismo config check /etc/seismo/seismo.yaml
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `prepare` compiles the sources, which are not copied yet: skip scripts here, build below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
# Whole tree (compiled dist/, production node_modules, data files such as model and profile JSON).
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 8080
ENTRYPOINT ["node", "dist/bin/seismo.js"]
CMD ["start"]
