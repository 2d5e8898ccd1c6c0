#!/bin/sh
# Installs what the pipeline needs from Debian's packages when it is missing:
# LibreOffice Writer (conversion), metric-compatible fonts, qpdf, poppler and Ghostscript;
# Chromium and its driver, with which the tests open the bureau (make bureau) as staff do.
# As root it installs them; otherwise it prints the one command to run.
set -eu
# the one list, which the engine's install hints read too
PACKAGES=$(grep -v '^#' "$(dirname "$0")/../pipeline/office/packages.txt" | tr '\n' ' ')
missing=""
command -v soffice >/dev/null 2>&1 || missing="$missing soffice"
command -v qpdf >/dev/null 2>&1 || missing="$missing qpdf"
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import uno" >/dev/null 2>&1 || missing="$missing python3-uno"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing pdftoppm"
command -v gs >/dev/null 2>&1 || missing="$missing gs"
command -v fc-list >/dev/null 2>&1 || missing="$missing fc-list"
# the browser serves only the bureau's tests: without root, its absence alone stops nothing
browser=""
command -v chromium >/dev/null 2>&1 || browser="$browser chromium"
command -v chromedriver >/dev/null 2>&1 || browser="$browser chromedriver"
if command -v fc-list >/dev/null 2>&1; then
  fc-list | grep -q "LiberationSans-Regular" || missing="$missing fonts-liberation2"
  fc-list | grep -q "Carlito" || missing="$missing fonts-crosextra-carlito"
fi
[ -z "$missing$browser" ] && exit 0
echo "outils manquants :$missing$browser" >&2
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installation avec apt-get (quelques minutes la première fois)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
  exit 0
fi
echo "lancez : sudo apt-get install -y --no-install-recommends $PACKAGES" >&2
[ -z "$missing" ] && exit 0  # only the tests' browser is missing: the dossiers build without it
exit 1
