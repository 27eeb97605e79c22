# Production-like image: build with the official Swift image, run on its slim variant.
FROM swift:6.2-bookworm AS build
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product tandem --static-swift-stdlib \
 && cp "$(swift build -c release --show-bin-path)/tandem" /tandem

FROM swift:6.2-bookworm-slim
# The commit the image was built from, for tandem_build_info (docker build --build-arg COMMIT=$(git rev-parse HEAD)).
ARG COMMIT=unknown
ENV TANDEM_BUILD_COMMIT=$COMMIT
RUN useradd --system --create-home tandem
COPY --from=build /tandem /usr/local/bin/tandem
COPY Migrations /app/Migrations
WORKDIR /app
USER tandem
ENV TANDEM_MIGRATIONS_DIR=/app/Migrations TANDEM_HOST=0.0.0.0
EXPOSE 8080 7443
ENTRYPOINT ["tandem"]
CMD ["serve"]
