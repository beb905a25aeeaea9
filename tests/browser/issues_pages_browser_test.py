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
# A description as Jira's wiki renderer writes one: headings from h1, a table
# wider than a phone, a long code block, an attachment and emoticons (x) (/).
RICH_DESCRIPTION = (
    "<h1>Steps</h1><h2>Setup</h2>"
    "<p>Broken <img class=\"emoticon\" src=\"/images/icons/emoticons/error.png\" height=\"16\" "
    "width=\"16\" align=\"absmiddle\" alt=\"\" border=\"0\"/> then fixed "
    "<img class=\"emoticon\" src=\"/images/icons/emoticons/check.png\" alt=\"\"/></p>"
    "<div class=\"table-wrap\"><table class=\"confluenceTable\"><tbody><tr>"
    + "".join("<th class=\"confluenceTh\">Column %d</th>" % i for i in range(1, 8))
    + "</tr><tr>" + "".join("<td class=\"confluenceTd\">value%d</td>" % i for i in range(1, 8))
    + "</tr></tbody></table></div>"
    "<div class=\"code panel\"><div class=\"codeContent panelContent\"><pre class=\"code-java\">"
    + "x" * 400 + "</pre></div></div>"
    "<p><span class=\"image-wrap\" style=\"\"><img src=\"/secure/attachment/10100/screen.png\" "
    "style=\"border: 0px solid black\" /></span></p>")
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
        if key == "PROJ-6":
            # Jira's offsets: 18:00 UTC, and 07:45 UTC the next day.
            issue["created"] = "2026-01-06T23:30:00.000+0530"
            issue["updated"] = "2026-01-06T23:45:00.000-0800"
            issue["renderedDescription"] = RICH_DESCRIPTION
        if key == "PROJ-4":
            issue["resolutiondate"] = "2026-01-08T09:00:00.000+0000"
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


def active_text(driver):
    return driver.execute_script(
        "const e=document.activeElement; return e.id || e.textContent.trim() || e.tagName")


def color_scheme(driver, scheme):
    """prefers-color-scheme as the pages see it (chromium's media emulation)."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": scheme}]})


def contrast(driver, selector):
    """The WCAG contrast ratio of an element's text on its background."""
    return driver.execute_script("""
        const e = document.querySelector(arguments[0]);
        const s = getComputedStyle(e);
        const rgb = c => c.match(/[0-9.]+/g).slice(0, 3).map(Number);
        const lum = c => {
          const [r, g, b] = rgb(c).map(v => { v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const a = lum(s.color), b = lum(s.backgroundColor);
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);""", selector)


def presentation_checks(driver, failures, base, server_list, server_url):
    """Issue #25's presentation items, in the browser."""
    # Times: Jira's offsets read, every time shown in UTC, relative, the
    # absolute time on hover.
    driver.get(server_list + "?state=all")
    times = driver.execute_script(
        "const row = [...document.querySelectorAll('tbody tr')].find("
        "  r => r.querySelector('th').textContent.startsWith('PROJ-6'));"
        "return [...row.querySelectorAll('time')].map(t => [t.dateTime, t.title, t.textContent]);")
    failures.check([t[:2] for t in times] == [["2026-01-06T18:00:00Z", "2026-01-06 18:00 UTC"],
                                              ["2026-01-07T07:45:00Z", "2026-01-07 07:45 UTC"]],
                   "PROJ-6's times in UTC: %s" % times)
    failures.check(all(re.fullmatch(r"\d+ (minute|hour|day|week|month|year)s? ago", t[2])
                       for t in times), "relative times shown: %s" % times)
    failures.check("times in UTC" in driver.find_element(By.TAG_NAME, "caption").text,
                   "the list says its times are in UTC")

    # Keys and dates stay on one line at 1024 to 1920 px.
    for width in (1024, 1280, 1920):
        driver.set_window_size(width, 900)
        driver.get(server_list + "?state=all")
        wrapped = driver.execute_script(
            "return [...document.querySelectorAll('tbody th[scope=row] a, tbody time')]"
            ".filter(e => e.getClientRects().length > 1).map(e => e.textContent)")
        failures.check(wrapped == [], "at %d px these wrap: %s" % (width, wrapped))
    driver.set_window_size(1280, 900)

    # The closed time on closed issues.
    driver.get(server_list + "?state=closed")
    closed = driver.execute_script(
        "return [...document.querySelectorAll('tbody tr')].map(r => [r.querySelector('th a')"
        ".firstChild.textContent.trim(), (r.querySelector('.closed time') || {}).title])")
    failures.check(closed == [["PROJ-4", "2026-01-08 09:00 UTC"], ["PROJ-3", "2026-01-04 10:00 UTC"]],
                   "closed times: %s" % closed)

    # Labels, reporters and assignees filter the list, by keyboard.
    driver.get(server_list)
    label = driver.execute_script(
        "return [...document.querySelectorAll('tbody tr')].find(r => r.querySelector('th')"
        ".textContent.startsWith('PROJ-1')).querySelector('.labels a')")
    label.send_keys(Keys.ENTER)
    WebDriverWait(driver, 60).until(lambda d: "labels" in d.current_url)
    WebDriverWait(driver, 60).until(
        lambda d: d.execute_script("return document.readyState") == "complete")
    failures.check(set(row_keys(driver)) == {"PROJ-1", "PROJ-6"},
                   "label link lists %s" % row_keys(driver))
    failures.check(driver.find_element(By.ID, "f-label-1").get_attribute("value") == "backend",
                   "the label is in the form")
    for text, expected in (("Grace Hopper", {"PROJ-2"}), ("Alan Turing", {"PROJ-2"})):
        driver.get(server_list)
        link = driver.find_element(
            By.XPATH, "//tbody//a[contains(@class,'filter')][contains(., '%s')]" % text)
        click_and_wait(driver, link)
        failures.check(set(row_keys(driver)) == expected,
                       "%s's link lists %s" % (text, row_keys(driver)))
    driver.get(server_list + "/PROJ-2")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".fields .labels a"))
    failures.check(set(row_keys(driver)) == {"PROJ-2"} and "labels" in driver.current_url,
                   "detail page label lists %s" % row_keys(driver))

    # Page numbers.
    driver.get(server_list + "?state=all&sort=created_asc&per_page=2")
    numbers = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "nav.pages a[aria-label^=Page]")]
    failures.check(numbers == ["1", "2", "3"], "page numbers %s" % numbers)
    current = driver.find_elements(By.CSS_SELECTOR, "nav.pages a[aria-current=page]")
    failures.check(len(current) == 1 and current[0].text == "1", "page 1 is current")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "nav.pages a[aria-label='Page 3']"))
    failures.check(row_keys(driver) == ["PROJ-5", "PROJ-6"], "page 3 lists %s" % row_keys(driver))

    # Links to Jira open in a new tab and say so; Create new issue in Jira.
    for url in (server_list, server_list + "/PROJ-6"):
        driver.get(url)
        bad = driver.execute_script(
            "return [...document.querySelectorAll('a[href^=\"' + arguments[0] + '\"]')]"
            ".filter(a => !a.closest('.rich') || a.classList.contains('external'))"
            ".filter(a => a.target !== '_blank' || a.rel !== 'noopener noreferrer' || "
            "!a.querySelector('.ext') || a.querySelector('.ext').getBoundingClientRect().width == 0"
            " || !a.textContent.includes('(opens in a new tab)')).map(a => a.outerHTML)",
            server_url)
        failures.check(bad == [], "%s: links to Jira without the new-tab mark: %s" % (url, bad))
    driver.get(server_list)
    create = driver.find_element(By.PARTIAL_LINK_TEXT, "Create new issue in Jira")
    failures.check(create.get_attribute("href") == server_url + "/secure/CreateIssue!default.jspa"
                   and create.get_attribute("target") == "_blank",
                   "create link: %s" % create.get_attribute("outerHTML"))

    # The detail page: one h1, Jira's headings below the page's, images and
    # emoticons as text, nothing empty or nameless.
    driver.get(server_list + "/PROJ-6")
    headings = driver.execute_script(
        "return [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => h.tagName + ' ' + "
        "h.textContent.trim())")
    failures.check([h for h in headings if h.startswith("H1")] == ["H1 Search target zebra"],
                   "one h1: %s" % headings)
    failures.check([h for h in headings if h.startswith("H2")] == ["H2 Description",
                                                                    "H2 Comments (0)"],
                   "the page's h2s only: %s" % headings)
    failures.check("H3 Steps" in headings and "H4 Setup" in headings, "shifted: %s" % headings)
    rich = driver.find_element(By.CSS_SELECTOR, ".rich")
    failures.check("\u274c" in rich.text and "\u2705" in rich.text,
                   "emoticons as emoji: %r" % rich.text[:80])
    failures.check(driver.execute_script("return document.images.length") == 0, "no <img>")
    image = driver.find_element(By.CSS_SELECTOR, ".rich a.image")
    failures.check(image.get_attribute("href") == server_url + "/secure/attachment/10100/screen.png"
                   and "Image in Jira" in image.text, "image link: %s" % image.get_attribute(
                       "outerHTML"))
    empty = driver.execute_script(
        "return [...document.querySelectorAll('main p')].filter(p => !p.textContent.trim())"
        ".length + [...document.querySelectorAll('main a')].filter(a => "
        "a.getBoundingClientRect().width == 0 && !a.classList.contains('skip')).length")
    failures.check(empty == 0, "%d empty paragraphs or zero-width links" % empty)

    # A phone: Jira's table stays a table with its column names, scrolling
    # sideways in its region, by keyboard too; the code block as well; the
    # page itself is no wider than the phone.
    driver.set_window_size(375, 812)
    driver.get(server_list + "/PROJ-6")
    table = driver.execute_script(
        "const t = document.querySelector('.rich table'); const h = t.querySelector('th');"
        "const r = h.getBoundingClientRect();"
        "return [getComputedStyle(t).display, getComputedStyle(h).display, r.width, r.height]")
    failures.check(table[0] == "table" and table[1] == "table-cell" and table[2] > 0
                   and table[3] > 0, "narrow: the table keeps its headers: %s" % table)
    wide = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    failures.check(wide <= 0, "narrow detail page is %d px wider than the phone" % wide)
    for selector, name in ((".scroll:has(> table)", "Description, table 1"),
                           (".scroll:has(> pre)", "Description, code block 1")):
        region = driver.find_element(By.CSS_SELECTOR, selector)
        failures.check(region.get_attribute("aria-label") == name
                       and region.get_attribute("role") == "region", "%s is named" % name)
        overflow = driver.execute_script("return arguments[0].scrollWidth - arguments[0].clientWidth",
                                         region)
        failures.check(overflow > 0, "%s scrolls sideways (%d px)" % (name, overflow))
        # Reach it with Tab, scroll it with the arrow keys.
        driver.find_element(By.TAG_NAME, "body").click()
        reached = False
        for _ in range(40):
            driver.switch_to.active_element.send_keys(Keys.TAB)
            if driver.execute_script("return document.activeElement === arguments[0]", region):
                reached = True
                break
        failures.check(reached, "%s is reached with Tab" % name)
        if reached:
            for _ in range(5):
                driver.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
            left = driver.execute_script("return arguments[0].scrollLeft", region)
            failures.check(left > 0, "%s scrolls with the arrow keys (scrollLeft %s)" % (name, left))
    driver.set_window_size(1280, 900)

    # Dark mode: the Apply button is readable (axe checks the rest below).
    for scheme in ("light", "dark"):
        color_scheme(driver, scheme)
        driver.get(server_list)
        ratio = contrast(driver, ".filters button[type=submit]")
        background = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
        failures.check(background == ("rgb(24, 23, 29)" if scheme == "dark" else "rgb(255, 255, 255)"),
                       "%s mode is in effect (background %s)" % (scheme, background))
        failures.check(ratio >= 4.5, "%s mode: Apply button contrast %.2f:1" % (scheme, ratio))
    color_scheme(driver, "light")

    # 400 and 404 lead back to the list.
    for url, status in ((server_list + "?project=OTHER", 400), (server_list + "/OTHER-1", 404),
                        (server_list + "/PROJ-999", 404)):
        failures.check(status_of(url) == status, "%s answers %d" % (url, status))
        driver.get(url)
        back = driver.find_elements(By.LINK_TEXT, "Back to the Jira issues")
        failures.check(len(back) == 1, "%s has a way back" % url)
        if back:
            click_and_wait(driver, back[0])
            failures.check(driver.current_url == server_list and row_keys(driver),
                           "%s leads back to the list (%s)" % (url, driver.current_url))


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
        expected_order = ["Skip to the list of issues",
                          "Create new issue in Jira\u2197 (opens in a new tab)",
                          "Open %d" % len(OPEN), "Closed %d" % len(CLOSED),
                          "All %d" % len(OPEN | CLOSED), "f-search", "f-label-1", "f-status",
                          "f-author"]
        failures.check(order == expected_order, "focus order %s" % order)

        # Keyboard only: the skip link leads to the issues; the first one is
        # the next tab stop.
        driver.get(server_list)
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        failures.check(active_text(driver) == "Skip to the list of issues",
                       "first tab stop is the skip link, got %r" % active_text(driver))
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        stops = 0
        first_key = driver.execute_script(
            "return document.querySelector('tbody th[scope=row] a')")
        while stops < 3:
            driver.switch_to.active_element.send_keys(Keys.TAB)
            stops += 1
            if driver.execute_script("return document.activeElement === arguments[0]", first_key):
                break
        failures.check(driver.execute_script("return document.activeElement === arguments[0]",
                                             first_key),
                       "the first issue is reached within 3 tab stops after the skip link "
                       "(now on %r)" % active_text(driver))
        print("skip link: first issue after %d tab stop(s)" % stops, flush=True)

        try:
            presentation_checks(driver, failures, base, server_list, server_url)
        except Exception as error:  # a missing element fails the check; the rest still runs
            failures.check(False, "presentation checks stopped: %r" % error)
            color_scheme(driver, "light")
            driver.set_window_size(1280, 900)

        # A phone: nothing wider than the screen.
        driver.set_window_size(375, 812)
        for url in (server_list + "?state=all", server_list + "/PROJ-2"):
            driver.get(url)
            wide = driver.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth")
            failures.check(wide <= 0, "%s is %d px wider than a phone" % (url, wide))
        driver.set_window_size(1280, 900)

        # Accessibility lint (axe-core) on each kind of page, at desktop and
        # phone widths, in light and dark mode.
        if os.path.exists(AXE):
            with open(AXE) as f:
                axe_source = f.read()
            runs = []
            for url in (server_list, server_list + "?state=all&labels%5B%5D=none-such",
                        server_list + "/PROJ-2", server_list + "/PROJ-5", down_list, off_list,
                        server_list + "/OTHER-1", server_list + "?project=OTHER"):
                runs.append((url, "light", (1280, 900)))
            for url in (server_list + "?state=all&per_page=2", server_list + "/PROJ-6"):
                for scheme in ("light", "dark"):
                    for size in ((1280, 900), (375, 812)):
                        runs.append((url, scheme, size))
            runs.append((server_list + "?project=OTHER", "dark", (1280, 900)))
            for url, scheme, size in runs:
                color_scheme(driver, scheme)
                driver.set_window_size(*size)
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
                print("axe %s (%s, %dpx): %d rules passed; %s" % (
                    url.replace(base, ""), scheme, size[0], answer["passes"],
                    json.dumps(result) if result else "no violations"), flush=True)
                for violation in result:
                    failures.check(violation["impact"] not in ("serious", "critical"),
                                   "axe %s on %s (%s, %dpx): %s" % (
                                       violation["id"], url.replace(base, ""), scheme, size[0],
                                       violation["help"]))
            color_scheme(driver, "light")
            driver.set_window_size(1280, 900)
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
