#!/usr/bin/env sh
# Creates the keys docker-compose.yml mounts as secrets, once (never overwrites: a new
# signing key would not match the archive's published public key, and a new HMAC key would
# change every pseudonym).
#   archive-signing-key: Ed25519 seed, 64 hex characters (what wcp-archive reads)
#   anon-hmac-key:       tenant HMAC key for stable pseudonyms, 64 hex characters, no newline
#   archive-{cn,hk,sg}-encryption-key, review-encryption-key: SQLCipher keys (32 random bytes,
#                        64 hex characters) of each region's archive (every region the
#                        policy routes to) and of the review stores; losing one
#                        loses that data: back them up outside this machine
set -eu
dir="$(dirname "$0")/secrets"
# Compose bind-mounts file secrets with their host permissions, and the services run as uid
# 10001: the files are world-readable, the directory is private to the host user.
mkdir -p "$dir"
chmod 700 "$dir"
umask 022
for name in archive-signing-key anon-hmac-key archive-cn-encryption-key archive-hk-encryption-key \
    archive-sg-encryption-key review-encryption-key; do
    if [ ! -s "$dir/$name" ]; then
        od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$dir/$name"
        echo "created $dir/$name"
    else
        echo "kept    $dir/$name"
    fi
done
