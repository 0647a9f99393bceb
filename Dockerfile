# EDHOC service image: build stage (Maven wrapper, JDK 17), run stage (JRE 17, non-root).
#   docker build -t edhoc .
#   docker run --rm -p 5683:5683/udp -p 8080:8080 -v /srv/edhoc/credentials:/etc/edhoc/credentials:ro edhoc
# The credentials directory is mounted (never baked into the image); its credentials.yaml is what
# deploy/edhoc.yaml names (see docs/service.md, "Deployment"). JAVA_OPTS goes to the JVM.

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
# the whole source tree (see .dockerignore): the parent pom lists every module
COPY . /src
RUN ./mvnw -B -q -DskipTests -pl vertx-service -am package

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 edhoc \
 && useradd --system --uid 10001 --gid edhoc --home-dir /var/lib/edhoc --shell /usr/sbin/nologin edhoc \
 && mkdir -p /opt/edhoc /etc/edhoc/credentials /var/lib/edhoc \
 && chown edhoc:edhoc /var/lib/edhoc
COPY --from=build /src/vertx-service/target/edhoc.jar /opt/edhoc/edhoc.jar
COPY deploy/edhoc.yaml /etc/edhoc/edhoc.yaml
# in a container the listeners bind to every interface (publish only the ports you need);
# the engine workers run at nice 10, below the threads that answer refusals (docs/service.md,
# "JVM options"; as a non-root user the JVM warns that priorities may be ignored: lowering one is not)
ENV EDHOC_HTTP_HOST=0.0.0.0 \
    EDHOC_COAP_HOST=0.0.0.0 \
    EDHOC_ADMIN_HOST=0.0.0.0 \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:ThreadPriorityPolicy=1 -XX:JavaPriority1_To_OSPriority=10"
USER 10001:10001
WORKDIR /var/lib/edhoc
VOLUME ["/etc/edhoc/credentials"]
EXPOSE 5683/udp 8080/tcp 8081/tcp
HEALTHCHECK --interval=30s --timeout=5s CMD ["sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8081 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/edhoc/edhoc.jar \"$@\"", "edhoc"]
CMD ["serve", "--config", "/etc/edhoc/edhoc.yaml"]
