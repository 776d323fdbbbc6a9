#!/bin/sh
# A fresh read-only copy of the course library in the home (tslab resolves symlinks, so not a link).
set -e
rm -rf "$HOME/lib" && cp -r /srv/course/lib "$HOME/lib" && chmod -R a-w "$HOME/lib"
[ -e "$HOME/node_modules" ] || ln -s /srv/course/node_modules "$HOME/node_modules"
exec jupyterhub-singleuser "$@"
