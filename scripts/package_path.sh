#!/usr/bin/env bash
# The package path, as a new operator walks it on a fresh Debian bookworm, as
# root: build the .deb the way the README says, lint it, install it with apt,
# then the README's set-up for gitolite3 and cgit, one push through gitolite
# and one cgit page rendered by www-data. It prints lintian's output and the
# time from `apt-get install` to the first Jira comment.
#
#   ../shared/tools/fresh-machine bash scripts/package_path.sh
#
# Jira is the loopback stand-in (build/release/tests/standin/jira-standin);
# nothing leaves the machine. There is no systemd in such a chroot, so the
# service's command line (jiralink-deliver.service's ExecStart) is run by hand
# as its user. The machine is changed for good (the package, users, /srv):
# run it on a scratch machine.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n== %s\n' "$*"; }

say "./quickstart.sh demo (installs what is missing, builds, runs the demo)"
./quickstart.sh demo >/tmp/package-path-demo.log 2>&1 || { cat /tmp/package-path-demo.log; exit 1; }
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends lintian >/dev/null

say "(cd build/release && cpack -G DEB)"
(cd build/release && cpack -G DEB >/dev/null)
deb=$(ls build/release/jiralink_*_amd64.deb)
echo "$deb"

say "lintian $deb"
lintian "$deb" || true
echo "(lintian done; errors and warnings above, if any)"

say "apt-get install ./$deb"
started=$(date +%s.%N)
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$deb" >/dev/null
id jiralink
ls -ld /var/lib/jiralink /var/spool/jiralink/maildrop /etc/jiralink

say "A stand-in Jira on 127.0.0.1 (project DEMO, issue DEMO-1)"
work=$(mktemp -d)
cat >"$work/seed.json" <<'JSON'
{"projects": [{"key": "DEMO", "name": "Demo project"}],
 "issues": [{"key": "DEMO-1", "summary": "Pushed through gitolite", "status": "To Do"}]}
JSON
build/release/tests/standin/jira-standin --port 0 --seed "$work/seed.json" >"$work/standin.url" &
standin=$!
daemon=""
trap 'kill $standin ${daemon:+$daemon} 2>/dev/null || true' EXIT
for _ in $(seq 200); do [ -s "$work/standin.url" ] && break; sleep 0.05; done
jira=$(head -1 "$work/standin.url")
echo "$jira"

say "The settings, as the README's Debian package section says"
install -m 644 /usr/share/doc/jiralink/examples/config.toml /etc/jiralink/config.toml
# The editor's part: the site's keys go under the example's own tables.
sed -i -e "/^\[jira\]\$/a web_url = \"$jira\"\nusername = \"jiralink-bot\"\ntoken_file = \"/etc/jiralink/jira-token\"" \
  -e '/^\[git\]$/a root = "/var/lib/gitolite3/repositories"\ncommit_url = "https://git.example.com/{repo}/commit/{sha}"' \
  /etc/jiralink/config.toml
install -m 600 -o jiralink -g jiralink /dev/null /etc/jiralink/jira-token
echo standin-token >/etc/jiralink/jira-token
jiralink config check >/dev/null && echo "jiralink config check: ok"

say "The service (jiralink-deliver.service's command, as jiralink)"
exec_start=$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/jiralink-deliver.service)
runuser -u jiralink -- $exec_start >"$work/deliver.log" 2>&1 &
daemon=$!

say "gitolite3: the README's repo-specific hook"
getent passwd gitolite3 >/dev/null ||
  adduser --quiet --system --group --home /var/lib/gitolite3 --shell /bin/sh gitolite3
install -d -o gitolite3 -g gitolite3 /var/lib/gitolite3
adduser --quiet gitolite3 jiralink
as_gitolite() { runuser -u gitolite3 -- env HOME=/var/lib/gitolite3 "$@"; }
(cd /var/lib/gitolite3 && as_gitolite gitolite setup -a admin >/dev/null)
as_gitolite sed -i -e 's/^\( *\)# \(LOCAL_CODE *=> *"$ENV{HOME}\/local",\)/\1\2/' \
  -e "s/^\( *\)# \('repo-specific-hooks',\)/\1\2/" \
  -e 's/^\( *\)UMASK *=> *0077,/\1UMASK => 0027,/' /var/lib/gitolite3/.gitolite.rc
grep -q 'UMASK *=> *0027' /var/lib/gitolite3/.gitolite.rc
as_gitolite mkdir -p /var/lib/gitolite3/local/hooks/repo-specific
printf '#!/bin/sh\nexec /usr/bin/jiralink --config /etc/jiralink/config.toml hook post-receive\n' |
  as_gitolite tee /var/lib/gitolite3/local/hooks/repo-specific/jiralink >/dev/null
as_gitolite chmod 755 /var/lib/gitolite3/local/hooks/repo-specific/jiralink
# sshd would run gitolite-shell for the admin key; git's ssh command stands in for it.
cat >"$work/ssh" <<'SH'
#!/bin/sh
SSH_CONNECTION='127.0.0.1 40000 127.0.0.1 22' SSH_ORIGINAL_COMMAND="$2" exec /usr/share/gitolite3/gitolite-shell admin
SH
chmod 755 "$work/ssh"
chown -R gitolite3 "$work"
gl_git() { as_gitolite git -c ssh.variant=simple -c core.sshCommand="$work/ssh" \
  -c user.name="Ada Lovelace" -c user.email=ada@example.com "$@"; }
gl_git clone -q git@gitolite:gitolite-admin "$work/admin"
printf '\nrepo platform/api\n    RW+ = admin\n    option hook.post-receive = jiralink\n' |
  as_gitolite tee -a "$work/admin/conf/gitolite.conf" >/dev/null
gl_git -C "$work/admin" commit -q -am "platform/api with the jiralink hook"
gl_git -C "$work/admin" push -q origin HEAD

say "One push through gitolite"
gl_git init -q -b main "$work/work"
echo "Fixed in DEMO-1." | as_gitolite tee "$work/work/README.md" >/dev/null
gl_git -C "$work/work" add README.md
gl_git -C "$work/work" commit -q -m "DEMO-1 handle the empty input"
gl_git -C "$work/work" push git@gitolite:platform/api main 2>&1 | sed 's/^/  /'
for _ in $(seq 600); do
  curl -s -u jiralink-bot:standin-token "$jira/rest/api/2/issue/DEMO-1/comment" |
    grep -q '"total":[1-9]' && break
  sleep 0.1
done
first_comment=$(date +%s.%N)
curl -s -u jiralink-bot:standin-token "$jira/rest/api/2/issue/DEMO-1/comment" | head -c 400
echo
awk -v a="$started" -v b="$first_comment" \
  'BEGIN { printf "from apt-get install to the first Jira comment: %.1f s\n", b - a }' 

say "One cgit page, rendered by www-data (the README's cgit wrappers)"
printf '#!/bin/sh\nexec /usr/bin/jiralink render --config /etc/jiralink/config.toml "$@"\n' \
  >/usr/local/bin/jiralink-about
printf '#!/bin/sh\nexec /usr/bin/jiralink render --config /etc/jiralink/config.toml --commit-filter\n' \
  >/usr/local/bin/jiralink-commit
chmod 755 /usr/local/bin/jiralink-about /usr/local/bin/jiralink-commit
# The README's cgit section: cgit reads gitolite's repositories through its group.
adduser --quiet www-data gitolite3
chmod g+rX /var/lib/gitolite3 && chmod -R g+rX /var/lib/gitolite3/repositories
cat >"$work/cgitrc" <<CGITRC
cache-size=0
virtual-root=/
about-filter=/usr/local/bin/jiralink-about
commit-filter=/usr/local/bin/jiralink-commit
readme=:README.md
repo.url=api
repo.path=/var/lib/gitolite3/repositories/platform/api.git
CGITRC
chmod 644 "$work/cgitrc"
chmod 755 "$work"
status=0
page=$(cd / && runuser -u www-data -- env CGIT_CONFIG="$work/cgitrc" GATEWAY_INTERFACE=CGI/1.1 \
  REQUEST_METHOD=GET SCRIPT_NAME=/ PATH_INFO=/api/about/ QUERY_STRING= SERVER_NAME=localhost \
  HOME=/var/www /usr/lib/cgit/cgit.cgi 2>"$work/cgit.err") || status=$?
echo "cgit exit status: $status"
link=$(printf '%s\n' "$page" | grep -o '<a href="[^"]*browse/DEMO-1"[^>]*>DEMO-1</a>' | head -1 || true)
echo "${link:-NO Jira link on the about page}"
if [ -s "$work/cgit.err" ]; then echo "cgit stderr:"; cat "$work/cgit.err"; fi

say "What the service logged"
cat "$work/deliver.log"
echo
[ "$status" -eq 0 ] && [ -n "$link" ] && [ ! -s "$work/cgit.err" ] || { echo "package path: FAILED at the cgit page"; exit 1; }
echo "package path: done"
