#!/bin/sh
# The image's entry point.
#   entrypoint.sh [--directive value ...]                 cinnabar-server with these arguments
#   entrypoint.sh sentinel TEMPLATE [--directive value ...]  cinnabar-sentinel
# A sentinel rewrites its config file (epochs, known replicas and sentinels), so it runs from a
# copy in its data volume, made from TEMPLATE the first time only.
set -eu
if [ "${1:-}" = "sentinel" ]; then
  template=${2:?sentinel needs a template config file}
  shift 2
  [ -f /data/sentinel.conf ] || cp "$template" /data/sentinel.conf
  exec node /opt/cinnabar/dist/bundle/cinnabar-sentinel.js /data/sentinel.conf "$@"
fi
exec /opt/cinnabar/bin/cinnabar-server "$@"
