#!/usr/bin/python3
"""The pages' login (serve/page_login.h) in a real browser behind real nginx.

Run by ctest: starts the stand-in Jira, `jiralink serve` with [serve]
auth_header, and Debian's nginx as this test's own process (daemon off,
master_process off, everything in a temporary directory, free ports on
127.0.0.1). nginx guards the pages with `auth_request`: its login service (a
second nginx server) knows a session cookie per user and answers the user and
groups in headers, which `auth_request_set` passes on. nginx reaches serve from
127.0.0.3 (proxy_bind), the only address in auth_proxies. Headless chromium
(the harness of issues_pages_browser_test.py) then sees the issues list as an
allowed user, 401 without a session, and the not-found page as a user that
[issues] viewers does not name. Exit 0 = pass, 1 = failure, 77 = skipped
(chromium, chromedriver or nginx is missing; the message names it).

usage: login_browser_test.py --jiralink BIN --standin BIN
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import issues_pages_browser_test as harness  # noqa: E402  (exits 77 without selenium)

from selenium.webdriver.common.by import By  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SESSIONS = {  # cookie -> (user, groups)
    "alice-session": ("alice", ""),
    "bob-session": ("bob", "frontend"),
    "carol-session": ("carol", "frontend,backend"),
}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for_port(port, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def get(url, headers=None):
    """(status, body) of a GET; no redirects are involved."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def nginx_conf(work, port, auth_port, serve_port):
    maps = "".join('        "%s" "%s";\n' % (cookie, user)
                   for cookie, (user, _) in SESSIONS.items())
    group_maps = "".join('        "%s" "%s";\n' % (cookie, groups)
                         for cookie, (_, groups) in SESSIONS.items())
    temp = os.path.join(work, "nginx")
    return f"""daemon off;
master_process off;
worker_processes 1;
pid {temp}/nginx.pid;
error_log {temp}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {temp}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    map $cookie_session $session_user {{
        default "";
{maps}    }}
    map $cookie_session $session_groups {{
        default "";
{group_maps}    }}
    # The login service auth_request asks: 200 and the user, or 401.
    server {{
        listen 127.0.0.1:{auth_port};
        location / {{
            if ($session_user = "") {{ return 401; }}
            add_header X-User $session_user;
            add_header X-Groups $session_groups;
            return 200;
        }}
    }}
    server {{
        listen 127.0.0.1:{port};
        location ~ ^/.+/-/integrations/jira/issues {{
            auth_request /_auth;
            auth_request_set $user $upstream_http_x_user;
            auth_request_set $groups $upstream_http_x_groups;
            proxy_set_header X-Forwarded-User $user;
            proxy_set_header X-Forwarded-Groups $groups;
            proxy_bind 127.0.0.3;
            proxy_pass http://127.0.0.1:{serve_port};
        }}
        location = /-/jiralink.css {{
            proxy_bind 127.0.0.3;
            proxy_pass http://127.0.0.1:{serve_port};
        }}
        location = /_auth {{
            internal;
            proxy_pass http://127.0.0.1:{auth_port}/;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }}
    }}
}}
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jiralink", required=True)
    parser.add_argument("--standin", required=True)
    args = parser.parse_args()
    skip = harness.missing_browser()
    if skip:
        print(skip)
        return harness.SKIP
    if not os.path.exists(NGINX):
        print("SKIP: nginx is not installed (apt-get install nginx)")
        return harness.SKIP

    processes = harness.Processes()
    failures = harness.Failures()
    work = tempfile.mkdtemp(prefix="jiralink-login-")
    driver = None
    nginx = None
    try:
        seed_path = os.path.join(work, "seed.json")
        with open(seed_path, "w") as f:
            json.dump(harness.seed(), f)
        _, jira_url = processes.start([args.standin, "--port", "0", "--seed", seed_path])
        config = os.path.join(work, "jiralink.toml")
        with open(config, "w") as f:
            f.write(f"""[jira]
web_url = "{jira_url}"
username = "jiralink-bot"
token_env = "JIRALINK_TEST_TOKEN"
[state]
dir = "{work}/state"
[serve]
web = true
auth_header = "X-Forwarded-User"
auth_groups_header = "X-Forwarded-Groups"
auth_proxies = ["127.0.0.3"]
[issues]
enabled = true
project_keys = ["PROJ"]
[projects."platform/api".issues]
enabled = true
[projects."team/repo".issues]
viewers = ["alice", "@backend"]
""")
        os.chmod(config, 0o600)
        env = dict(os.environ, JIRALINK_TEST_TOKEN="standin-token")
        _, listening = processes.start(
            [args.jiralink, "--config", config, "serve", "--listen", "127.0.0.1:0"], env=env)
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", listening)
        if not match:
            raise RuntimeError("jiralink serve said: " + listening)
        serve_port = int(match.group(1))

        os.makedirs(os.path.join(work, "nginx"))
        port, auth_port = free_port(), free_port()
        conf = os.path.join(work, "nginx", "nginx.conf")
        with open(conf, "w") as f:
            f.write(nginx_conf(work, port, auth_port, serve_port))
        nginx = subprocess.Popen([NGINX, "-p", os.path.join(work, "nginx"), "-c", conf,
                                  "-e", os.path.join(work, "nginx", "error.log")])
        if not (wait_for_port(port, nginx) and wait_for_port(auth_port, nginx)):
            with open(os.path.join(work, "nginx", "error.log")) as f:
                raise RuntimeError("nginx did not start: " + f.read())
        base = "http://127.0.0.1:%d" % port
        platform = base + "/platform/api/-/integrations/jira/issues"
        team = base + "/team/repo/-/integrations/jira/issues"

        driver = harness.start_chromium(work)

        def as_user(session):
            driver.delete_all_cookies()
            if session:
                driver.add_cookie({"name": "session", "value": session, "path": "/"})

        # No session: nginx's login answers 401, serve is never asked.
        driver.get(platform)
        failures.check("401" in driver.title or "401" in driver.page_source,
                       "no session: 401 page, got %r" % driver.title)
        failures.check(harness.row_keys(driver) == [], "no session: no issue shown")
        failures.check(get(platform)[0] == 401, "no session answers 401")

        # alice: the list and an issue.
        as_user("alice-session")
        driver.get(platform)
        failures.check(set(harness.row_keys(driver)) == harness.OPEN,
                       "alice sees the open issues, got %s" % harness.row_keys(driver))
        driver.get(platform + "/PROJ-2")
        failures.check(driver.find_element(By.TAG_NAME, "h1").text == "Dark mode for settings",
                       "alice sees an issue")
        # team/repo names alice, and the group backend.
        driver.get(team)
        failures.check(set(harness.row_keys(driver)) == harness.OPEN,
                       "alice sees team/repo, got %s" % harness.row_keys(driver))

        # bob: not among team/repo's viewers, so not found, like a repository
        # that does not exist; platform/api has no viewers list.
        as_user("bob-session")
        driver.get(team)
        failures.check(driver.find_element(By.TAG_NAME, "h1").text == "Page not found",
                       "bob gets the not-found page for team/repo")
        failures.check(harness.row_keys(driver) == [], "bob sees no issue of team/repo")
        status, body = get(team, {"Cookie": "session=bob-session"})
        unknown = get(base + "/no/such/-/integrations/jira/issues", {"Cookie": "session=bob-session"})
        failures.check(status == 404 and unknown[0] == 404 and body == unknown[1],
                       "bob: team/repo is the same 404 as an unknown repository (%d)" % status)
        driver.get(platform)
        failures.check(set(harness.row_keys(driver)) == harness.OPEN,
                       "bob sees platform/api, got %s" % harness.row_keys(driver))

        # carol is in the group backend.
        as_user("carol-session")
        driver.get(team)
        failures.check(set(harness.row_keys(driver)) == harness.OPEN,
                       "carol (@backend) sees team/repo, got %s" % harness.row_keys(driver))

        # A visitor's own header: nginx replaces it with the login's user.
        status, _ = get(team, {"Cookie": "session=bob-session", "X-Forwarded-User": "alice"})
        failures.check(status == 404, "bob claiming to be alice through nginx: 404, got %d" % status)
        status, _ = get(team, {"X-Forwarded-User": "alice"})
        failures.check(status == 401, "no session claiming to be alice: 401, got %d" % status)
        # Around nginx, straight to serve from 127.0.0.1 (not in auth_proxies): 403.
        direct = "http://127.0.0.1:%d/team/repo/-/integrations/jira/issues" % serve_port
        status, body = get(direct, {"X-Forwarded-User": "alice"})
        failures.check(status == 403 and "PROJ-" not in body,
                       "the header straight to serve: 403 and no issue, got %d" % status)
    finally:
        if driver is not None:
            driver.quit()
        if nginx is not None and nginx.poll() is None:
            nginx.terminate()
            try:
                nginx.wait(timeout=30)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait()
        processes.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    if failures.items:
        print("%d check(s) failed" % len(failures.items))
        return 1
    print("all login browser checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
