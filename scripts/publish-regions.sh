#!/bin/sh
# Publish sqlprobe to every regional function app (Linux and macOS; scripts/publish-regions.ps1 is the
# same for Windows).
#
#   scripts/publish-regions.sh [--skip APP] [--resource-group RG] [--package ZIP] [APP ...]
#
# Without APP arguments it reads the JSON array SQLPROBE_FUNCTION_APP_NAMES and AZURE_RESOURCE_GROUP,
# the outputs of infra/main.bicep that azd keeps in its environment; AZURE_SUBSCRIPTION_ID picks the
# subscription. --skip leaves out one app. Without --package it stages the package first
# (scripts/stage-package.js), the same files azd deploys. Each upload is retried while the app's
# storage role assignments propagate (a new app answers 403 for a few minutes). Needs node/npm and an
# Azure CLI that is logged in.
set -eu

skip=""
rg="${AZURE_RESOURCE_GROUP:-}"
package=""
while [ $# -gt 0 ]; do
  case "$1" in
    --skip) skip="$2"; shift 2 ;;
    --resource-group|-g) rg="$2"; shift 2 ;;
    --package) package="$2"; shift 2 ;;
    *) break ;;
  esac
done

if [ $# -gt 0 ]; then
  apps="$*"
else
  apps=$(node -e 'for (const a of JSON.parse(process.env.SQLPROBE_FUNCTION_APP_NAMES || "[]")) console.log(a)')
fi
apps=$(for a in $apps; do [ "$a" = "$skip" ] || echo "$a"; done)
if [ -z "$apps" ]; then
  echo "publish-regions: no regional app to publish"
  exit 0
fi
[ -n "$rg" ] || { echo "publish-regions: set --resource-group or AZURE_RESOURCE_GROUP" >&2; exit 2; }

if [ -z "$package" ]; then
  root=$(cd "$(dirname "$0")/.." && pwd)
  node "$root/scripts/stage-package.js"
  package="$root/.deploy/sqlprobe.zip"
fi
[ -f "$package" ] || { echo "publish-regions: no package at $package" >&2; exit 2; }

attempts="${SQLPROBE_PUBLISH_ATTEMPTS:-6}"
first_delay="${SQLPROBE_PUBLISH_RETRY_SECONDS:-20}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for app in $apps; do
  echo "publish-regions: $app"
  attempt=1
  delay="$first_delay"
  # shellcheck disable=SC2086 # the subscription option is two words or none
  until az functionapp deployment source config-zip --resource-group "$rg" --name "$app" --src "$package" \
      ${AZURE_SUBSCRIPTION_ID:+--subscription "$AZURE_SUBSCRIPTION_ID"} >"$log" 2>&1; do
    cat "$log" >&2
    # Only a refused storage access is worth waiting for: it heals once the role assignments propagate.
    if ! grep -Eqi '403|Forbidden|AuthorizationPermissionMismatch|AuthorizationFailure|InaccessibleStorage' "$log"; then
      echo "publish-regions: $app: upload failed" >&2
      exit 1
    fi
    if [ "$attempt" -ge "$attempts" ]; then
      echo "publish-regions: $app: storage access still refused after $attempts attempts; check the app identity's Storage Blob Data Owner role on its storage account, then run this again" >&2
      exit 1
    fi
    echo "publish-regions: $app: storage access refused (role assignments can take minutes to apply); attempt $((attempt + 1)) of $attempts in ${delay}s" >&2
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2))
  done
  cat "$log"
done
