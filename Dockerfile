# One image for the API and the worker; docker-compose.yml picks the command.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY app app
COPY documents documents
COPY i18n i18n
COPY server server
COPY lib lib
COPY bench bench
COPY domain domain
COPY contracts contracts
COPY workflows workflows
COPY activities activities
COPY api api
COPY web web
COPY models models
COPY config config
COPY worker worker
COPY scripts scripts
RUN npx tsc -p tsconfig.build.json && node dist/scripts/bundle-workflows.js && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
COPY templates templates
COPY web/public web/public
USER node
EXPOSE 3000
CMD ["node", "--enable-source-maps", "dist/server/main.js"]
