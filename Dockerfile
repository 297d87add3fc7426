# syntax=docker/dockerfile:1
# Images for meme-worker, meme-web and meme-console, one target each:
#   docker build --target meme-worker  -t meme-worker:dev  .
#   docker build --target meme-web     -t meme-web:dev     .
#   docker build --target meme-console -t meme-console:dev .
# then `kind load docker-image meme-worker:dev --name meme` (or `minikube image load`), or
# tag and push to a registry for the cloud overlay. k8s/demo-k8s.sh does all of this.
# Build: the Swift toolchain image compiles all three programs once (release, static Swift
# runtime). Runtime: Debian bookworm-slim with only the C libraries the programs link.

FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcurl4-openssl-dev libhiredis-dev libpango1.0-dev libcairo2-dev libncursesw5-dev libqrencode-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so a source change does not refetch them.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib \
      --product meme-worker \
 && swift build -c release --static-swift-stdlib --product meme-web \
 && swift build -c release --static-swift-stdlib --product meme-console \
 && mkdir -p /out \
 && cp "$(swift build -c release --show-bin-path)"/meme-worker \
       "$(swift build -c release --show-bin-path)"/meme-web \
       "$(swift build -c release --show-bin-path)"/meme-console /out/

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libcurl4 libhiredis0.14 libpango-1.0-0 libpangocairo-1.0-0 libcairo2 libqrencode4 \
      libncursesw6 fonts-dejavu-core fonts-noto-color-emoji \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 meme \
 && useradd --uid 10001 --gid meme --home-dir /home/meme --create-home --shell /usr/sbin/nologin meme
WORKDIR /app

FROM runtime AS meme-worker
COPY --from=build /out/meme-worker /usr/local/bin/meme-worker
USER 10001
EXPOSE 9090
ENTRYPOINT ["/usr/local/bin/meme-worker"]

FROM runtime AS meme-web
COPY --from=build /out/meme-web /usr/local/bin/meme-web
# The static page; /app is the working directory, so the repository-relative default
# path Sources/Web/Public resolves here too.
COPY Sources/Web/Public /app/Sources/Web/Public
USER 10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/meme-web"]

FROM runtime AS meme-console
COPY --from=build /out/meme-console /usr/local/bin/meme-console
USER 10001
ENV TERM=xterm-256color
ENTRYPOINT ["/usr/local/bin/meme-console"]
