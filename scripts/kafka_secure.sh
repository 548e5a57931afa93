# Sourced by scripts/kafka.sh in secure mode (`scripts/kafka.sh secure ...`): TLS material,
# SCRAM users and ACLs of the SASL_SSL test broker. Needs openssl and Java (the ACLs are
# granted by scripts/KafkaAcls.java through the Admin API, from ops/kafka/acls.txt).
# shellcheck shell=bash

ACL_TABLE="$ROOT/ops/kafka/acls.txt"
TLS="$HOME_DIR/tls"
SECRETS="$HOME_DIR/secrets"

# The principals of the ACL table, plus the admin and a user that has no ACL at all.
secure_users() {
    echo admin
    echo wcp-no-acl
    grep -v '^[[:space:]]*#' "$ACL_TABLE" | awk 'NF == 5 { print $1 }' | sort -u
}

# A random password per user, kept across restarts (0600, in a 0700 folder).
password_of() {
    local f="$SECRETS/$1.password"
    if [[ ! -s "$f" ]]; then
        (umask 077 && openssl rand -hex 24 >"$f")
    fi
    cat "$f"
}

# A private CA and a broker certificate for 127.0.0.1/localhost, made once; the broker reads
# a PKCS12 key store, clients trust tls/ca.pem.
make_tls() {
    [[ -s "$TLS/broker.p12" && -s "$TLS/ca.pem" ]] && return 0
    command -v openssl >/dev/null || die "openssl not found (secure mode makes its certificates with it)"
    mkdir -p "$TLS"
    chmod 700 "$TLS"
    (
        umask 077
        cd "$TLS"
        openssl rand -hex 24 >keystore.password
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=wcp test CA" \
            -keyout ca.key -out ca.pem
        openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
            -keyout broker.key -out broker.csr
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >broker.ext
        openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
            -extfile broker.ext -out broker.pem
        openssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem \
            -name broker -passout "file:keystore.password" -out broker.p12
    ) >"$HOME_DIR/tls.log" 2>&1 || { cat "$HOME_DIR/tls.log" >&2; die "making the TLS certificates failed"; }
    # Java must be able to read it: a key store it cannot open fails the start much later.
    if command -v keytool >/dev/null; then
        keytool -list -storetype PKCS12 -keystore "$TLS/broker.p12" \
            -storepass:file "$TLS/keystore.password" >/dev/null 2>&1 ||
            die "keytool cannot read $TLS/broker.p12"
    fi
}

# Before the storage is formatted: TLS material, passwords, the SCRAM users to create, and
# the admin client's properties. The users' passwords go to the storage tool in a 0600
# argument file (java expands `@file`), not on its command line, where `ps` showed them to
# every local user (trial 17a D10).
secure_prepare() {
    make_tls
    mkdir -p "$SECRETS"
    chmod 700 "$SECRETS"
    local u args="$SECRETS/scram.args"
    : >"$args"
    chmod 600 "$args"
    while read -r u; do
        printf -- '--add-scram\nSCRAM-SHA-512=[name=%s,password=%s]\n' "$u" "$(password_of "$u")" >>"$args"
    done < <(secure_users)
    SCRAM_ARGS=("@$args")
    # The broker's own secrets, read at start through Kafka's FileConfigProvider: the
    # server.properties it is given names them (${file:...}) and holds none.
    (
        umask 077
        printf 'admin.password=%s\nkeystore.password=%s\n' \
            "$(password_of admin)" "$(cat "$TLS/keystore.password")" >"$SECRETS/broker.secrets"
    )
    (
        umask 077
        cat >"$SECRETS/admin.properties" <<EOF
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(password_of admin)";
ssl.truststore.type=PEM
ssl.truststore.location=$TLS/ca.pem
EOF
    )
}

# No secret in it (trial 17a D10, h17b): the admin's password and the key store's come from
# secrets/broker.secrets (0600) through Kafka's FileConfigProvider when the broker reads the
# file. (The storage tool's SCRAM users still come from the 0600 @argument file.)
secure_listener_config() {
    local port="$1" cport="$2" from="\${file:$SECRETS/broker.secrets"
    cat <<EOF
config.providers=file
config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
listeners=SASL_SSL://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=SASL_SSL://127.0.0.1:$port
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$from:admin.password}";
ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS/broker.p12
ssl.keystore.password=$from:keystore.password}
ssl.client.auth=none
# The broker is a client of itself (inter-broker listener): it trusts the same CA.
ssl.truststore.type=PEM
ssl.truststore.location=$TLS/ca.pem
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
# ANONYMOUS: the broker's own requests over the PLAINTEXT controller listener.
super.users=User:admin;User:ANONYMOUS
EOF
}

# Grants the table's ACLs with topic prefix $1 ("" for the names as deployed).
secure_acls() {
    java -Dlog4j2.configurationFile="$HOME_DIR/log4j2.properties" -cp "$LIB/*" \
        "$ROOT/scripts/KafkaAcls.java" "$SECRETS/admin.properties" "$(cat "$ADDRFILE")" \
        "$ACL_TABLE" "$1" >"$HOME_DIR/acls.log" 2>&1 ||
        { tail -n 30 "$HOME_DIR/acls.log" >&2; say "granting the ACLs failed (log: $HOME_DIR/acls.log)"; return 1; }
    say "$(tail -n 1 "$HOME_DIR/acls.log")"
}
