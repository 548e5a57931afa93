# syntax=docker/dockerfile:1.7
# One image with every wcp binary: the CLI `wcp` and the services `wcp-<name>`.
#   docker build -t wcp:dev .
#   docker run --rm wcp:dev wcp --help
# The runtime stage is distroless (no shell, no package manager) and runs as uid 10001.

ARG RUST_VERSION=1.95
FROM rust:${RUST_VERSION}-bookworm AS build
# rdkafka builds its bundled librdkafka from source: a C toolchain (in the image), plus the
# headers of the optional TLS/SASL/compression libraries; SQLCipher (the archive's encryption at
# rest) links the same libcrypto.
RUN apt-get update \
 && apt-get install -y --no-install-recommends pkg-config libssl-dev libsasl2-dev zlib1g-dev libzstd-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --workspace --bins \
 && mkdir -p /out/bin /out/lib /out/data \
 && find target/release -maxdepth 1 -type f -perm -u+x -name 'wcp*' -exec cp {} /out/bin/ \; \
 && test -x /out/bin/wcp
# Shared libraries the binaries link beyond glibc and libgcc (which the distroless base has,
# from the same Debian release): copy exactly what ldd reports, nothing else.
RUN for b in /out/bin/*; do ldd "$b"; done \
    | awk '$3 ~ /^\// {print $3}' | sort -u \
    | grep -Ev '/(libc|libm|libgcc_s|libpthread|libdl|librt|ld-linux[^/]*)\.so' \
    | xargs -r cp -L -t /out/lib/

FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
LABEL org.opencontainers.image.title="wcp" \
      org.opencontainers.image.description="WeChat/WeCom compliance pipeline" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /out/lib/ /usr/local/lib/wcp/
COPY --from=build /out/bin/ /usr/local/bin/
# The archiver's data dir; a fresh named volume or PVC takes this ownership.
COPY --from=build --chown=10001:10001 /out/data/ /var/lib/wcp/
ENV LD_LIBRARY_PATH=/usr/local/lib/wcp
USER 10001:10001
EXPOSE 9090
# Services are chosen by the command: `wcp-classifier --config /etc/wcp/config.toml`.
ENTRYPOINT []
CMD ["wcp", "--help"]
