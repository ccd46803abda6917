# Multi-stage build: compile in the Rust image, run from a slim Debian with only the binary,
# the static files and the boundary data. Templates and migrations are compiled in.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src src
COPY migrations migrations
COPY .sqlx .sqlx
COPY templates templates
COPY data data
RUN SQLX_OFFLINE=true cargo build --release --locked --bin bredeblik

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /app bredeblik
WORKDIR /app
COPY --from=build /src/target/release/bredeblik /usr/local/bin/bredeblik
COPY static static
COPY data/geo data/geo
USER bredeblik
ENV BIND_ADDR=0.0.0.0:8080 LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["bredeblik"]
CMD ["serve"]
