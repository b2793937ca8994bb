#!/usr/bin/env bash
# Installs rackfocus, rackfocus-studio (which `rackfocus studio` runs) and the shell completions
# under PREFIX (default /usr/local):
#   scripts/install.sh [PREFIX]
# PREFIX/bin/rackfocus and rackfocus-studio, and completions for bash, zsh and fish under PREFIX/share.
# Builds with the README's flags, so after its first command nothing is compiled again.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-/usr/local}
swift build -c release -Xswiftc -enable-testing --product rackfocus
swift build -c release -Xswiftc -enable-testing --product rackfocus-studio
bins=$(swift build -c release -Xswiftc -enable-testing --show-bin-path)
bin=$bins/rackfocus
install -d "$prefix/bin" "$prefix/share/bash-completion/completions" "$prefix/share/zsh/site-functions" \
  "$prefix/share/fish/vendor_completions.d"
# Copied to a temporary name and renamed, so a failed copy never leaves half a binary.
install -m 755 "$bin" "$prefix/bin/.rackfocus.tmp.$$"
mv -f "$prefix/bin/.rackfocus.tmp.$$" "$prefix/bin/rackfocus"
install -m 755 "$bins/rackfocus-studio" "$prefix/bin/.rackfocus-studio.tmp.$$"
mv -f "$prefix/bin/.rackfocus-studio.tmp.$$" "$prefix/bin/rackfocus-studio"
"$prefix/bin/rackfocus" --generate-completion-script bash >"$prefix/share/bash-completion/completions/rackfocus"
"$prefix/bin/rackfocus" --generate-completion-script zsh >"$prefix/share/zsh/site-functions/_rackfocus"
"$prefix/bin/rackfocus" --generate-completion-script fish >"$prefix/share/fish/vendor_completions.d/rackfocus.fish"
echo "installed $prefix/bin/rackfocus ($("$prefix/bin/rackfocus" --version)), $prefix/bin/rackfocus-studio and the bash, zsh and fish completions"
