//! The operations page in a real headless Chromium, driven through chromedriver (WebDriver):
//! sign in, open the list, filter it, open a delivery and see the rule that did not match and
//! the link to the release pull request it opened; open the calendar and see a holiday move a
//! release. With `FORGEHAND_UPDATE_SCREENSHOTS=1` it saves the README's screenshots into
//! `docs/img/`.
//!
//! Needs `chromedriver` and `chromium` (Debian: `apt-get install chromium chromium-driver`;
//! `scripts/test.sh` installs them). Without chromedriver the test says so and passes —
//! except under `CI`, where a missing chromedriver fails it.

mod support;

use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::ui::{release_app, BROKEN_DELIVERY, REPO, TAG_DELIVERY, UI_TOKEN};

/// Longest the test waits for chromedriver to listen, or for a page to show something.
const WAIT: Duration = Duration::from_secs(20);

/// `name` found on `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// chromedriver, started by this test on a free port; stopped (by its own pid) when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_driver(binary: &PathBuf) -> Driver {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver { child, port };
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(started.elapsed() < WAIT, "chromedriver did not listen");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    driver
}

async fn browser(driver: &Driver) -> Client {
    let mut options = serde_json::json!({
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1360,1100", "--hide-scrollbars"],
    });
    if let Some(chromium) = on_path("chromium") {
        options["binary"] = chromium.display().to_string().into();
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    ClientBuilder::rustls()
        .expect("an HTTP client")
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a browser session")
}

/// Wait until the page's URL satisfies `ok`.
async fn until_url(client: &Client, ok: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let url = client.current_url().await.expect("url").to_string();
        if ok(&url) {
            return url;
        }
        assert!(started.elapsed() < WAIT, "the page stayed at {url}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn texts(client: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in client.find_all(Locator::Css(css)).await.expect("find") {
        out.push(e.text().await.expect("text"));
    }
    out
}

/// Save a screenshot as `docs/img/NAME.png` when `FORGEHAND_UPDATE_SCREENSHOTS=1`.
async fn screenshot(client: &Client, name: &str) {
    if std::env::var("FORGEHAND_UPDATE_SCREENSHOTS").as_deref() != Ok("1") {
        return;
    }
    let png = client.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/img");
    std::fs::create_dir_all(&dir).expect("docs/img");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write the screenshot");
}

#[tokio::test]
async fn an_operator_signs_in_filters_opens_a_delivery_and_the_calendar() {
    let Some(chromedriver) = on_path("chromedriver") else {
        if std::env::var_os("CI").is_some() {
            panic!("chromedriver is missing under CI: install chromium and chromium-driver");
        }
        println!(
            "SKIPPED: chromedriver is not installed (apt-get install chromium chromium-driver); \
             the operations page was not tested in a browser"
        );
        return;
    };
    let (app, holiday) = release_app().await;
    let driver = start_driver(&chromedriver).await;
    let client = browser(&driver).await;
    let base = format!("http://127.0.0.1:{}", app.port);

    // Not signed in: the list sends the browser to sign in.
    client.goto(&format!("{base}/ui/")).await.expect("goto");
    until_url(&client, |u| u.ends_with("/ui/login")).await;
    let token = client
        .find(Locator::Id("token"))
        .await
        .expect("token field");
    token.send_keys(UI_TOKEN).await.expect("type");
    client
        .find(Locator::Id("sign-in"))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    until_url(&client, |u| u.ends_with("/ui/")).await;

    // The list: both deliveries, newest first.
    let ids = texts(&client, "#deliveries a.delivery-link").await;
    assert_eq!(ids, [BROKEN_DELIVERY, TAG_DELIVERY]);

    // Filter by outcome (the choice applies at once): only the failed one.
    let outcome = client.find(Locator::Id("filter-outcome")).await.unwrap();
    outcome
        .select_by_value("failed")
        .await
        .expect("choose failed");
    until_url(&client, |u| u.contains("outcome=failed")).await;
    assert_eq!(
        texts(&client, "#deliveries a.delivery-link").await,
        [BROKEN_DELIVERY]
    );
    // Then by repository, any outcome: the tag push (the broken one has no repository).
    client
        .goto(&format!("{base}/ui/"))
        .await
        .expect("back to the list");
    let repo = client.find(Locator::Id("filter-repo")).await.unwrap();
    repo.select_by_value(REPO).await.expect("choose the repo");
    until_url(&client, |u| u.contains("repo=Codertocat")).await;
    assert_eq!(
        texts(&client, "#deliveries a.delivery-link").await,
        [TAG_DELIVERY]
    );

    // Open it: the rule for major tags did not match, and why; the pull request's link.
    client
        .find(Locator::LinkText(TAG_DELIVERY))
        .await
        .expect("the delivery's link")
        .click()
        .await
        .expect("click");
    until_url(&client, |u| u.contains("/ui/delivery?")).await;
    let rule = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(r#"tr[data-rule="major-tags"]"#))
        .await
        .expect("the rule's row");
    assert_eq!(
        rule.attr("class").await.unwrap().as_deref(),
        Some("rule-failed")
    );
    let why = rule.text().await.unwrap();
    assert!(why.contains("did not match"), "{why}");
    assert!(why.contains("does not match `v1.4.0`"), "{why}");
    let created = client
        .find(Locator::Css("#actions a.created"))
        .await
        .expect("a link to what the delivery created");
    let href = created.attr("href").await.unwrap().expect("href");
    let mrs = app.fake.opened_merge_requests(REPO);
    assert!(href.contains("/pull/"), "{href}");
    assert!(
        href.ends_with(&format!("/pull/{}", mrs[0].1.number)),
        "{href} is the opened pull request"
    );
    screenshot(&client, "delivery").await;

    // The calendar of the repository: the holiday Monday's release moves to Tuesday.
    client
        .goto(&format!("{base}/ui/calendar?repo=github:{REPO}"))
        .await
        .expect("calendar");
    let cell = client
        .find(Locator::Css(&format!(r#"td[data-date="{holiday}"]"#)))
        .await
        .expect("the holiday's day");
    let classes = cell.attr("class").await.unwrap().unwrap_or_default();
    assert!(
        classes.contains("holiday") && classes.contains("moved"),
        "{classes}"
    );
    let tuesday = holiday.succ_opt().unwrap();
    let text = cell.text().await.unwrap();
    assert!(
        text.contains(&format!("holiday → {}", &tuesday.to_string()[5..])),
        "{text}"
    );
    let moved = client
        .find(Locator::Css(&format!(r#"td[data-date="{tuesday}"]"#)))
        .await
        .unwrap();
    let text = moved.text().await.unwrap();
    assert!(
        text.contains("minor") && text.contains(&format!("from {}", &holiday.to_string()[5..])),
        "{text}"
    );
    // The rotation is on the grid: each day names the release manager on duty.
    let managers = texts(&client, "table.month td .who").await;
    assert!(managers.iter().any(|m| m == "alice"), "{managers:?}");
    assert!(managers.iter().any(|m| m == "bob"), "{managers:?}");
    screenshot(&client, "calendar").await;

    client.close().await.expect("close the browser");
    drop(driver);
    app.teardown().await;
}
