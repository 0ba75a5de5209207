//! Every template renders with realistic data, escapes what it shows, and the page is off
//! without a token.

use super::pages::{DeliveryView, ListFilter, Row, OUTCOMES};
use super::*;
use crate::explain::{Account, EventView, IntentRecord, PlanRecord};
use crate::model::ForgeKind;
use crate::store::{ActionRecord, ActionState, DeliveryRecord, DeliverySummary};

fn ui(yaml: &str) -> Option<Ui> {
    let config = Config::from_str(yaml, "t.yml", &|name| {
        (name == "FORGEHAND_UI_TOKEN").then(|| "t0ken-for-tests".to_string())
    })
    .expect("valid configuration");
    let store: Arc<dyn Store> = Arc::new(crate::store::sqlite::open(":memory:").expect("store"));
    Ui::new(store, Arc::new(config), Arc::new(Metrics::default())).expect("templates load")
}

const ON: &str = "ui:\n  tokens: [\"${FORGEHAND_UI_TOKEN:-}\"]\n";

fn render(ui: &Ui, template: &str, context: minijinja::Value) -> String {
    let response = ui.page(StatusCode::OK, None, "T", template, context);
    assert_eq!(response.status(), StatusCode::OK, "{template} renders");
    let body = response.into_body();
    let bytes = actix_web::body::to_bytes(body);
    let bytes = futures_util::FutureExt::now_or_never(bytes)
        .expect("a rendered body is ready")
        .unwrap_or_else(|_| panic!("body"));
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

#[test]
fn the_page_is_off_without_a_token() {
    assert!(ui("").is_none());
    assert!(ui("ui:\n  tokens: [\"${UNSET_VARIABLE:-}\"]\n").is_none());
    assert!(ui(ON).is_some());
}

#[test]
fn the_list_renders_rows_escaped_with_paging_links() {
    let ui = ui(ON).unwrap();
    let summary = DeliverySummary {
        record: DeliveryRecord {
            forge: "github".into(),
            delivery_id: "id <1>&2".into(),
            event: "issues".into(),
            state: "failed".into(),
            reason: Some("<script>alert(1)</script>".into()),
            attempts: 2,
        },
        repo: "acme/app".into(),
        received_at: 1_800_000_000_000,
        finished_at: Some(1_800_000_001_500),
    };
    let html = render(
        &ui,
        "deliveries.html",
        minijinja::context! {
            rows => vec![Row::of(&summary)],
            filter => ListFilter { outcome: "failed".into(), ..ListFilter::default() },
            repos => vec!["acme/app"],
            outcomes => OUTCOMES,
            page => 2,
            previous => Some(1),
            next => Some(3),
        },
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("id=id%20%3C1%3E%262"), "{html}");
    assert!(html.contains("1.5 s"));
    assert!(
        html.contains(r#"<option value="failed" selected>"#),
        "{html}"
    );
    assert!(html.contains("page=3") && html.contains("page=1"));
}

#[test]
fn the_delivery_page_shows_verdicts_plan_and_the_created_link() {
    let ui = ui(ON).unwrap();
    let account = Account {
        forge: ForgeKind::Github,
        delivery_id: "d-1".into(),
        event_name: "create".into(),
        received_at: "2026-11-26T07:00:00.000Z".into(),
        state: "failed".into(),
        reason: Some("forge answered 502".into()),
        attempts: 3,
        event: EventView::Event(Box::new(serde_json::json!({"kind": "tag_pushed"}))),
        facts: Some(serde_json::json!({"role": "maintainer"})),
        decided_at: Some("2026-11-26T07:00:01.000Z".into()),
        rules: vec![crate::decide::rules::RuleVerdict {
            rule: "majors".into(),
            on_event: true,
            matched: false,
            failed: vec!["tag `v1.4.0` does not match `^v2`".into()],
        }],
        plan: Some(PlanRecord {
            intents: vec![IntentRecord {
                intent: "open_merge_request".into(),
                text: "open MR release-next → main".into(),
                spec: serde_json::Value::Null,
                then: None,
            }],
            notes: vec![],
        }),
        actions: vec![ActionRecord {
            key: "k".into(),
            forge: ForgeKind::Github,
            delivery_id: "d-1".into(),
            repo: "acme/app".into(),
            intent: "open_merge_request".into(),
            position: 0,
            state: ActionState::Done,
            answer: Some("opened".into()),
            object_id: Some("7".into()),
            url: Some("https://forge.example/acme/app/pull/7".into()),
            at: 1_800_000_000_000,
        }],
        problems: vec![],
    };
    let html = render(
        &ui,
        "delivery.html",
        minijinja::context! { d => DeliveryView::of(account, &super::pages::WebBases::of(&ui.config)), csrf => "c5rf", notice => None::<&str> },
    );
    assert!(html.contains("tag `v1.4.0` does not match `^v2`"), "{html}");
    // minijinja escapes `/` in HTML as `&#x2f;`, which a browser reads back as `/`.
    assert!(
        html.contains(
            r#"href="https:&#x2f;&#x2f;forge.example&#x2f;acme&#x2f;app&#x2f;pull&#x2f;7""#
        ),
        "{html}"
    );
    assert!(html.contains(r#"id="redeliver""#) && html.contains(r#"value="c5rf""#));
    assert!(html.contains("open MR release-next → main"));
}

#[test]
fn the_calendar_and_queue_and_login_render() {
    let ui = ui(ON).unwrap();
    let calendar = crate::release::calendar::Calendar::new(
        crate::release::calendar::Cadence::Weekly {
            days: vec![(
                chrono::Weekday::Mon,
                crate::release::version::BumpKind::Minor,
            )],
        },
        ["2026-12-07".parse().unwrap()],
        crate::release::calendar::HolidayPolicy::Shift,
    )
    .unwrap();
    let view = calendar::view(&calendar, None, "2026-11-26".parse().unwrap());
    let html = render(
        &ui,
        "calendar.html",
        minijinja::context! { choices => vec!["github:acme/app"], selected => "", view => view, enabled => true },
    );
    assert!(html.contains(r#"data-date="2026-12-07""#), "{html}");
    assert!(html.contains("holiday → 12-08"), "{html}");
    assert!(html.contains("from 12-07"));
    let html = render(
        &ui,
        "queue.html",
        minijinja::context! { stats => crate::store::QueueStats { pending: 4, ..Default::default() }, budgets => Vec::<String>::new() },
    );
    assert!(html.contains(r#"id="pending">4<"#), "{html}");
    let html = render(&ui, "login.html", minijinja::context! { refused => true });
    assert!(html.contains("not accepted") && !html.contains("t0ken-for-tests"));
}
