#!/usr/bin/env sh
# Creates the keys docker-compose.yml mounts as secrets, once (never overwrites: a new
# signing key would not match the archive's published public key, and a new HMAC key would
# change every pseudonym).
#   archive-signing-key: Ed25519 seed, 64 hex characters (what wcp-archive reads)
#   anon-hmac-key:       tenant HMAC key for stable pseudonyms, 64 hex characters, no newline
#   archive-{cn,hk,sg}-encryption-key, review-{cn,hk,sg,console}-encryption-key: SQLCipher
#                        keys (32 random bytes, 64 hex characters) of each region's archive
#                        (every region the policy routes to) and of each review store, one
#                        key each; losing one loses that data: back them up outside this
#                        machine
set -eu
dir="$(dirname "$0")/secrets"
# Compose bind-mounts file secrets with their host permissions, and the services run as uid
# 10001: the files are world-readable, the directory is private to the host user.
mkdir -p "$dir"
chmod 700 "$dir"
umask 022
for name in archive-signing-key anon-hmac-key archive-cn-encryption-key archive-hk-encryption-key \
    archive-sg-encryption-key review-cn-encryption-key review-hk-encryption-key \
    review-sg-encryption-key review-console-encryption-key; do
    case "$name" in review-*) old="$dir/review-encryption-key" ;; *) old="" ;; esac
    if [ ! -s "$dir/$name" ] && [ -n "$old" ] && [ -s "$old" ]; then
        # A stack made before each store had its own key: its stores were encrypted under
        # the one review-encryption-key, which they keep (a new key would not open them).
        cp "$old" "$dir/$name"
        echo "copied $old to $dir/$name (the key your existing review stores use)"
    elif [ ! -s "$dir/$name" ]; then
        od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$dir/$name"
        echo "created $dir/$name"
    else
        echo "kept    $dir/$name"
    fi
done
