# Multi-stage build: compile with the full toolchain, run on a slim Debian with the binary,
# the shipped configuration and CA certificates only.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY config ./config
# tests/, benches/ and fixtures/ are not needed to build the binary.
RUN cargo build --release --locked --bin forgehand

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /var/lib/forgehand --create-home forgehand
COPY --from=build /src/target/release/forgehand /usr/local/bin/forgehand
COPY --from=build /src/config /etc/forgehand
USER forgehand
WORKDIR /var/lib/forgehand
ENV FORGEHAND_LISTEN=0.0.0.0:8080 \
    FORGEHAND_DATABASE_URL=sqlite:///var/lib/forgehand/forgehand.db
EXPOSE 8080
VOLUME ["/var/lib/forgehand"]
ENTRYPOINT ["forgehand"]
CMD ["serve", "--config", "/etc/forgehand/forgehand.yml"]
