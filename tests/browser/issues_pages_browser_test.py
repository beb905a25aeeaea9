#!/usr/bin/python3
"""The "View Jira issues" pages (serve/issues_pages.h) in a real browser.

Run by ctest: starts two stand-in Jiras (Server and Cloud) and `jiralink serve`
on loopback free ports, drives Debian's headless chromium through chromedriver
(python3-selenium), checks tabs, filters, sorting, paging, the detail page,
hostile Jira text, a Jira outage and a turned-off repository, lints the pages
with axe-core (vendored, see vendor/axe-core/PROVENANCE.md), and stops
everything it started. Exit 0 = pass, 1 = failure, 77 = skipped (a package is
missing; the message names it).

usage: issues_pages_browser_test.py --jiralink BIN --standin BIN
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
AXE = os.path.join(HERE, "vendor", "axe-core", "axe.min.js")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    print("SKIP: python3-selenium is not installed (apt-get install python3-selenium)")
    sys.exit(SKIP)

ISSUES = [
    # key, summary, status, labels, reporter, assignee, created day, updated day
    ("PROJ-1", "Login page crashes", "To Do", ["backend"], "Ada Lovelace", "", 1, 9),
    ("PROJ-2", "Dark mode for settings", "In Progress", ["frontend", "ui"], "Grace Hopper",
     "Alan Turing", 2, 3),
    ("PROJ-3", "Old done", "Done", [], "Ada Lovelace", "", 3, 4),
    ("PROJ-4", "New done", "Done", ["backend"], "Ada Lovelace", "", 4, 8),
    ("PROJ-5", "<img src=x onerror=alert(1)>", "To Do", [], "Ada Lovelace", "", 5, 5),
    ("PROJ-6", "Search target zebra", "To Do", ["backend"], "Ada Lovelace", "", 6, 6),
    ("OTHER-1", "Not ours", "To Do", [], "Ada Lovelace", "", 7, 7),
]
OPEN = {"PROJ-1", "PROJ-2", "PROJ-5", "PROJ-6"}
CLOSED = {"PROJ-3", "PROJ-4"}
HOSTILE_DESCRIPTION = ("<p>Safe <strong>bold</strong></p><script>window.pwned=1;alert(2)</script>"
                       "<a href=\"javascript:alert(3)\">click</a><img src=x onerror=alert(4)>"
                       "<svg onload=alert(5)></svg><style>body{display:none}</style>")


def seed():
    issues = []
    for key, summary, status, labels, reporter, assignee, created, updated in ISSUES:
        issue = {"key": key, "summary": summary, "status": status, "labels": labels,
                 "reporter": reporter, "assignee": assignee,
                 "description": "About " + summary,
                 "created": "2026-01-%02dT10:00:00.000+0000" % created,
                 "updated": "2026-01-%02dT10:00:00.000+0000" % updated}
        if key == "PROJ-5":
            issue["renderedDescription"] = HOSTILE_DESCRIPTION
        if key == "PROJ-2":
            issue["comments"] = ["Working on it", "Almost there"]
        issues.append(issue)
    return {"projects": [{"key": "PROJ", "name": "Project"}, {"key": "OTHER", "name": "Other"}],
            "issues": issues}


def refusing_port():
    """A loopback port that refuses connections for as long as the returned
    socket stays open: bound, never listening. (A port merely found free and
    let go could be taken by a server of another test running beside this
    one, and "Jira down" would then answer.)"""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s, s.getsockname()[1]


class Processes:
    def __init__(self):
        self.started = []

    def start(self, argv, env=None):
        """Starts argv, returns (process, first stdout line), waiting up to 60 s."""
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=None, env=env, text=True)
        self.started.append(process)
        line = process.stdout.readline().strip()
        if not line:
            raise RuntimeError("%s printed nothing (exit %s)" % (argv[0], process.poll()))
        return process, line

    def stop_all(self):
        for process in reversed(self.started):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


class Failures:
    def __init__(self):
        self.items = []

    def check(self, condition, what):
        if not condition:
            self.items.append(what)
            print("FAIL: " + what, flush=True)
        return condition


def status_of(url):
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def row_keys(driver):
    """The issue keys of the table's rows, in order (the link's visible text)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('tbody th[scope=row] a'))"
        ".map(a => a.firstChild.textContent.trim())")


def click_and_wait(driver, element):
    """Clicks a link or button that loads a page, and waits until the new one is there."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 60).until(expected_conditions.staleness_of(old))
    WebDriverWait(driver, 60).until(
        lambda d: d.execute_script("return document.readyState") == "complete")


def start_chromium(work):
    """Headless chromium through chromedriver, its profile in `work`."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--user-data-dir=" + os.path.join(work, "chromium"),
                 "--window-size=1280,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(90)
    return driver


def missing_browser():
    """The skip message when chromium or its driver is absent, else None."""
    if not os.path.exists(CHROMIUM):
        return "SKIP: chromium is not installed (apt-get install chromium)"
    if not os.path.exists(CHROMEDRIVER):
        return "SKIP: chromedriver is not installed (apt-get install chromium-driver)"
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jiralink", required=True)
    parser.add_argument("--standin", required=True)
    args = parser.parse_args()
    skip = missing_browser()
    if skip:
        print(skip)
        return SKIP

    processes = Processes()
    work = tempfile.mkdtemp(prefix="jiralink-browser-")
    driver = None
    down_socket = None
    failures = Failures()
    try:
        seed_path = os.path.join(work, "seed.json")
        with open(seed_path, "w") as f:
            json.dump(seed(), f)
        _, server_url = processes.start([args.standin, "--port", "0", "--seed", seed_path])
        _, cloud_url = processes.start([args.standin, "--port", "0", "--cloud", "--seed", seed_path])
        down_socket, down_port = refusing_port()
        down_url = "http://127.0.0.1:%d" % down_port  # nothing listens there
        config = os.path.join(work, "jiralink.toml")
        with open(config, "w") as f:
            f.write(f"""[jira]
web_url = "{server_url}"
username = "jiralink-bot"
token_env = "JIRALINK_TEST_TOKEN"
timeout_seconds = 10
connect_timeout_seconds = 5
[state]
dir = "{work}/state"
[serve]
web = true
[issues]
enabled = true
project_keys = ["PROJ"]
[projects."platform/api".issues]
enabled = true
[projects."cloud/repo".jira]
web_url = "{cloud_url}"
[projects."down/repo".jira]
web_url = "{down_url}"
[projects."off/repo".issues]
enabled = false
""")
        os.chmod(config, 0o600)
        env = dict(os.environ, JIRALINK_TEST_TOKEN="standin-token")
        _, listening = processes.start(
            [args.jiralink, "--config", config, "serve", "--listen", "127.0.0.1:0"], env=env)
        match = re.search(r"listening on (\S+)", listening)
        if not match:
            raise RuntimeError("jiralink serve said: " + listening)
        base = "http://" + match.group(1)
        server_list = base + "/platform/api/-/integrations/jira/issues"
        cloud_list = base + "/cloud/repo/-/integrations/jira/issues"

        driver = start_chromium(work)

        def no_alert(where):
            try:
                alert = driver.switch_to.alert
                text = alert.text
                alert.dismiss()
                failures.check(False, "%s: an alert opened (%r)" % (where, text))
            except NoAlertPresentException:
                pass

        # Tabs: each lists the right issues, and says which one is current.
        driver.get(server_list)
        failures.check(set(row_keys(driver)) == OPEN, "Open tab lists %s" % row_keys(driver))
        current = driver.find_element(By.CSS_SELECTOR, ".tabs a[aria-current=page]").text
        # The tabs carry their counts once Jira has counted (issue #25).
        failures.check(current == "Open %d" % len(OPEN), "Open tab is current, got %r" % current)
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".tabs a[href*='state=closed']"))
        failures.check(set(row_keys(driver)) == CLOSED, "Closed tab lists %s" % row_keys(driver))
        failures.check(row_keys(driver) == ["PROJ-4", "PROJ-3"],
                       "Closed tab: recently updated first, got %s" % row_keys(driver))
        failures.check("state=closed" in driver.current_url, "tab state is in the URL")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".tabs a[href*='state=all']"))
        failures.check(set(row_keys(driver)) == OPEN | CLOSED, "All tab lists %s" % row_keys(driver))

        # Each filter narrows the list and the form keeps its value.
        filters = [
            ("#f-label-1", "frontend", {"PROJ-2"}),
            ("#f-status", "In Progress", {"PROJ-2"}),
            ("#f-author", "Grace Hopper", {"PROJ-2"}),
            ("#f-assignee", "Alan Turing", {"PROJ-2"}),
            ("#f-search", "zebra", {"PROJ-6"}),
        ]
        for selector, value, expected in filters:
            driver.get(server_list + "?state=all")
            box = driver.find_element(By.CSS_SELECTOR, selector)
            box.clear()
            box.send_keys(value)
            click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".filters button[type=submit]"))
            failures.check(set(row_keys(driver)) == expected,
                           "filter %s=%r lists %s" % (selector, value, row_keys(driver)))
            kept = driver.find_element(By.CSS_SELECTOR, selector).get_attribute("value")
            failures.check(kept == value, "filter %s keeps %r, got %r" % (selector, value, kept))
        driver.get(server_list + "?state=all")
        Select(driver.find_element(By.ID, "f-project")).select_by_value("PROJ")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".filters button[type=submit]"))
        failures.check("project=PROJ" in driver.current_url, "project filter is in the URL")
        failures.check(Select(driver.find_element(By.ID, "f-project")).first_selected_option
                       .get_attribute("value") == "PROJ", "project filter keeps its value")
        failures.check("OTHER-1" not in row_keys(driver), "project filter: no OTHER issues")
        # Two labels: both must match.
        driver.get(server_list + "?state=all&labels%5B%5D=backend")
        failures.check(set(row_keys(driver)) == {"PROJ-1", "PROJ-4", "PROJ-6"},
                       "label backend lists %s" % row_keys(driver))
        driver.find_element(By.ID, "f-label-2").send_keys("frontend")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".filters button[type=submit]"))
        failures.check(row_keys(driver) == [], "labels backend AND frontend: none, got %s"
                       % row_keys(driver))
        failures.check(driver.find_element(By.ID, "f-label-2").get_attribute("value") == "frontend",
                       "second label is kept")

        # Sort order.
        driver.get(server_list + "?state=all")
        Select(driver.find_element(By.ID, "f-sort")).select_by_value("created_asc")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".filters button[type=submit]"))
        failures.check(row_keys(driver) == ["PROJ-1", "PROJ-2", "PROJ-3", "PROJ-4", "PROJ-5", "PROJ-6"],
                       "created_asc order, got %s" % row_keys(driver))
        Select(driver.find_element(By.ID, "f-sort")).select_by_value("updated_desc")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".filters button[type=submit]"))
        # PROJ-2 was updated when its seeded comments were added (now).
        failures.check(row_keys(driver) == ["PROJ-2", "PROJ-1", "PROJ-4", "PROJ-6", "PROJ-5", "PROJ-3"],
                       "updated_desc order, got %s" % row_keys(driver))

        # Paging, Server (page=) and Cloud (next_page_token=), by following the links.
        for name, url, marker in (("Server", server_list, "page="),
                                  ("Cloud", cloud_list, "next_page_token=")):
            driver.get(url + "?state=all&sort=created_asc&per_page=4")
            seen = []
            pages = 0
            while True:
                pages += 1
                seen += row_keys(driver)
                links = driver.find_elements(By.CSS_SELECTOR, "nav.pages a[rel=next]")
                if not links or pages > 5:
                    break
                failures.check(marker in links[0].get_attribute("href"),
                               "%s next link uses %s" % (name, marker))
                click_and_wait(driver, links[0])
            failures.check(seen == ["PROJ-1", "PROJ-2", "PROJ-3", "PROJ-4", "PROJ-5", "PROJ-6"],
                           "%s paging walks every issue once, got %s" % (name, seen))
            failures.check(pages == 2, "%s paging: 2 pages, got %d" % (name, pages))

        # The detail page.
        driver.get(server_list)
        click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Dark mode for settings"))
        failures.check(driver.find_element(By.TAG_NAME, "h1").text == "Dark mode for settings",
                       "detail heading")
        text = driver.find_element(By.TAG_NAME, "main").text
        for part in ("In Progress", "frontend", "ui", "Alan Turing", "Grace Hopper",
                     "About Dark mode for settings", "Working on it", "Almost there",
                     "Comments (2)"):
            failures.check(part in text, "detail page shows %r" % part)
        jira_link = driver.find_element(By.CSS_SELECTOR, "p.key a").get_attribute("href")
        failures.check(jira_link == server_url + "/browse/PROJ-2", "detail links to Jira: " + jira_link)

        # Hostile Jira text: nothing runs, nothing is injected.
        driver.get(server_list)
        no_alert("list")
        failures.check("<img src=x onerror=alert(1)>" in driver.find_element(By.TAG_NAME, "main").text,
                       "hostile summary shown as text")
        injected = driver.execute_script(
            "return document.querySelectorAll('img,script,svg,iframe,style,object,embed').length")
        failures.check(injected == 0, "list: %s injected elements" % injected)
        driver.get(server_list + "/PROJ-5")
        no_alert("detail")
        injected = driver.execute_script(
            "return document.querySelectorAll('img,script,svg,iframe,style,object,embed').length")
        failures.check(injected == 0, "detail: %s injected elements" % injected)
        failures.check(driver.execute_script("return window.pwned === undefined"),
                       "detail: the description's script did not run")
        failures.check(driver.find_element(By.CSS_SELECTOR, ".rich strong").text == "bold",
                       "detail keeps safe formatting")
        hrefs = [a.get_attribute("href") or "" for a in driver.find_elements(By.CSS_SELECTOR, "main a")]
        failures.check(not any(h.lower().startswith("javascript:") for h in hrefs),
                       "no javascript: link: %s" % hrefs)
        failures.check(driver.execute_script(
            "return getComputedStyle(document.body).display") != "none", "no injected style")

        # Jira down: a clear error page with the forge's message and 502.
        down_list = base + "/down/repo/-/integrations/jira/issues"
        failures.check(status_of(down_list) == 502, "Jira down answers 502")
        driver.get(down_list)
        alert = driver.find_elements(By.CSS_SELECTOR, "[role=alert]")
        failures.check(alert and "A connection error occurred while connecting to Jira" in alert[0].text,
                       "Jira down shows the forge's message")

        # Turned off: 404.
        off_list = base + "/off/repo/-/integrations/jira/issues"
        failures.check(status_of(off_list) == 404, "[issues] enabled = false answers 404")
        driver.get(off_list)
        failures.check(driver.find_element(By.TAG_NAME, "h1").text == "Page not found",
                       "turned-off page says not found")

        # Keyboard: the focus order follows the page.
        driver.get(server_list)
        body = driver.find_element(By.TAG_NAME, "body")
        body.send_keys(Keys.TAB)
        order = []
        for _ in range(9):
            order.append(driver.execute_script(
                "const e=document.activeElement;"
                "return e.id || e.textContent.trim() || e.tagName"))
            driver.switch_to.active_element.send_keys(Keys.TAB)
        expected_order = ["Skip to content", "Open %d" % len(OPEN), "Closed %d" % len(CLOSED),
                          "All %d" % len(OPEN | CLOSED), "f-search", "f-label-1",
                          "f-status", "f-author", "f-assignee"]
        failures.check(order == expected_order, "focus order %s" % order)

        # A phone: nothing wider than the screen.
        driver.set_window_size(375, 812)
        for url in (server_list + "?state=all", server_list + "/PROJ-2"):
            driver.get(url)
            wide = driver.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth")
            failures.check(wide <= 0, "%s is %d px wider than a phone" % (url, wide))
        driver.set_window_size(1280, 900)

        # Accessibility lint (axe-core) on each kind of page.
        if os.path.exists(AXE):
            with open(AXE) as f:
                axe_source = f.read()
            for url in (server_list, server_list + "?state=all&labels%5B%5D=none-such",
                        server_list + "/PROJ-2", server_list + "/PROJ-5", down_list, off_list):
                driver.get(url)
                driver.execute_script(axe_source)
                driver.set_script_timeout(120)
                answer = driver.execute_async_script(
                    "const done = arguments[arguments.length - 1];"
                    "axe.run(document).then(r => done({passes: r.passes.length, violations: "
                    "r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length, "
                    "help: v.help}))}))"
                    ".catch(e => done({passes: 0, violations: [{id: 'axe-error', "
                    "impact: 'critical', nodes: 0, help: String(e)}]}));")
                result = answer["violations"]
                failures.check(answer["passes"] > 0, "axe ran its rules on " + url)
                print("axe %s: %d rules passed; %s" % (
                    url.replace(base, ""), answer["passes"],
                    json.dumps(result) if result else "no violations"), flush=True)
                for violation in result:
                    failures.check(violation["impact"] not in ("serious", "critical"),
                                   "axe %s on %s: %s" % (violation["id"], url.replace(base, ""),
                                                         violation["help"]))
        else:
            print("axe-core not found at %s: accessibility lint skipped" % AXE)
    finally:
        if driver is not None:
            driver.quit()
        processes.stop_all()
        if down_socket is not None:
            down_socket.close()
        shutil.rmtree(work, ignore_errors=True)
    if failures.items:
        print("%d check(s) failed" % len(failures.items))
        return 1
    print("all browser checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
