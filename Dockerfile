# papers: one image for the web server and the crawler jobs.
# Not built or run in this repository's CI (no Docker engine there); see README "docker-compose".
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin papers

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/papers --create-home papers
COPY --from=build /src/target/release/papers /usr/local/bin/papers
USER papers
WORKDIR /var/lib/papers
ENV PAPERS_DATA_DIR=/var/lib/papers PAPERS_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["papers"]
CMD ["serve"]
