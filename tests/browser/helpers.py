"""Steps that browser journeys share. Add a journey by composing these; see test_pages.py."""

from axe_playwright_python.sync_playwright import Axe

PASSWORD = "test-password-1"  # tests/factories.make_user's password

# axe-core tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

_axe = Axe()


def assert_accessible(page, *, context=None) -> None:
    """Run axe-core's WCAG 2.2 A and AA rules on the page as it stands; fail listing every violation."""
    results = _axe.run(
        page, context=context, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
    )
    violations = results.response["violations"]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {node['target']}: {node['failureSummary']}" for node in v["nodes"])
        for v in violations
    )
    assert violations == [], f"axe found {len(violations)} WCAG 2.2 A/AA violation(s) on {page.url}:\n{report}"


def submit_sign_in(page, username: str, password: str = PASSWORD, *, next_url: str = "/"):
    """Fill in and send the sign-in form; return the response to it (whatever it is)."""
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign in").click()
    return navigation.value


def sign_in(page, username: str, password: str = PASSWORD, *, next_url: str = "/") -> None:
    """Sign in by filling the form, for journeys whose subject is something else."""
    response = submit_sign_in(page, username, password, next_url=next_url)
    assert response.url.endswith(next_url) and response.ok, f"sign-in as {username} did not reach {next_url}"


def focused(page) -> dict:
    """What has keyboard focus: its tag, id, name, type, accessible text and href."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {
                tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'),
                type: el.getAttribute('type'), text: (el.innerText || el.value || '').trim(),
                href: el.getAttribute('href'),
            };
        }"""
    )


def tab_to(page, matches, *, limit: int = 60, key: str = "Tab") -> dict:
    """Press Tab (or Shift+Tab) until the focused element satisfies `matches(focused(page))`; return it.

    Fails if focus never gets there within `limit` presses, which is what a keyboard user would hit.
    """
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if matches(now):
            return now
        seen.append(f"{now['tag']}#{now['id'] or now['name'] or now['text'][:30]}")
    raise AssertionError(f"Could not reach the element by keyboard in {limit} presses; focus went: {seen}")


def keyboard_sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Sign in with the keyboard alone: Tab to each field, type, Enter on the button."""
    page.goto("/accounts/login/")
    tab_to(page, lambda el: el["id"] == "id_username")
    page.keyboard.type(username)
    tab_to(page, lambda el: el["id"] == "id_password")
    page.keyboard.type(password)
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Sign in")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def assert_every_control_reachable_by_keyboard(page) -> None:
    """Tab through the page from the top: every visible link, button and form control must take focus
    in turn, and focus must not get stuck (no keyboard trap) before it leaves the page."""
    controls = page.evaluate(
        """() => {
            const selector = 'a[href], button, summary, input:not([type=hidden]), select, textarea, [tabindex]';
            // checkVisibility() is false inside a closed <details>, whose content Chromium keeps laid out
            // but skips (content-visibility: hidden), so getClientRects() alone can count it as shown.
            const all = [...document.querySelectorAll(selector)].filter(el =>
                !el.disabled && el.tabIndex >= 0 && el.getClientRects().length > 0 &&
                el.checkVisibility({visibilityProperty: true}));
            all.forEach((el, index) => el.setAttribute('data-keyboard-check', index));
            return all.map(el => el.outerHTML.slice(0, 80));
        }"""
    )
    # Start from the top of the page, as after loading it, whatever has focus now (autofocus, say).
    page.evaluate(
        """() => {
            const start = document.createElement('span');
            start.tabIndex = -1;
            document.body.prepend(start);
            start.focus();
        }"""
    )
    reached: list[int] = []
    for _ in range(len(controls) + 5):
        page.keyboard.press("Tab")
        index = page.evaluate("() => document.activeElement.getAttribute('data-keyboard-check')")
        if index is None:
            break  # focus left the page's controls: the end of the tab order
        if reached and int(index) == reached[-1]:
            raise AssertionError(f"Focus is stuck on {controls[int(index)]}")
        reached.append(int(index))
    missed = [controls[i] for i in range(len(controls)) if i not in reached]
    assert missed == [], f"Not reachable with Tab on {page.url}: {missed}"
