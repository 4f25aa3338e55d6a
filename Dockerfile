# syntax=docker/dockerfile:1
# Build: docker build -t mutual .
# Run:   docker run -p 8080:8080 -v mutual-data:/data --ulimit nice=25:25 mutual
#        (the ulimit lets the SQLite writer thread run at nice -5; see README, Docker)
FROM docker.io/library/golang:1.26-trixie AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# cgo is needed for mattn/go-sqlite3; build and run on the same Debian release so glibc matches.
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/mutual .

FROM docker.io/library/debian:trixie-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 mutual \
    && useradd --system --uid 10001 --gid mutual --home-dir /data --shell /usr/sbin/nologin mutual \
    && mkdir -p /data && chown mutual:mutual /data
COPY --from=build /out/mutual /usr/local/bin/mutual
USER mutual
ENV MUTUAL_ADDR=0.0.0.0:8080 \
    MUTUAL_DATA=/data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["/usr/local/bin/mutual", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/mutual"]
CMD ["serve"]
