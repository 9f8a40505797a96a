#!/usr/bin/env bash
# Installs Debian packages without letting their maintainer scripts start the
# services they ship (nginx on port 80, redis-server on 6379): the tests start
# their own on free 127.0.0.1 ports. Usage: apt-install-nostart.sh PACKAGE...
#
# Debian's maintainer scripts ask /usr/sbin/policy-rc.d before starting a
# service; exit status 101 means "not allowed". One that is already there
# (Docker images ship one that denies everything) is left as it is; otherwise
# a denying one is put in place for the install and removed after it.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  trap '$SUDO rm -f "$policy"' EXIT
  printf '#!/bin/sh\n# Put here by sheen/scripts/apt-install-nostart.sh for one install.\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
# A machine run by systemd: keep the services off at boot too.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  for unit in "$@"; do
    $SUDO systemctl disable --now "$unit" >/dev/null 2>&1 || true
  done
fi
