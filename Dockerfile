# The fedsvc image: the production install of @fedsvc/cli on a small Node 20 base, run as a
# non-root user. `pnpm check:deploy` makes the same install in a temporary folder and runs it
# with plain node, so CI exercises these steps without a container runtime.
#
#   docker build -t fedsvc .
#   docker run --read-only -v $PWD/fedsvc.yaml:/etc/fedsvc/config.yaml:ro fedsvc
FROM node:20-alpine AS build
WORKDIR /src
RUN corepack enable
COPY . .
RUN pnpm install --frozen-lockfile \
  && pnpm --filter '@fedsvc/cli...' run build \
  && pnpm --filter @fedsvc/cli deploy --prod --legacy /app

FROM node:20-alpine
COPY --from=build /app /app
# Nothing is written at run time (logs go to standard output), so the root filesystem may be
# read-only; the node user (uid 1000) owns nothing it could change.
USER node
ENV NODE_ENV=production
EXPOSE 8080
ENTRYPOINT ["node", "/app/dist/bin.js"]
CMD ["run", "--config", "/etc/fedsvc/config.yaml"]
