//! `forgehand explain DELIVERY`: the account of one stored delivery — its neutral event, the
//! facts gathered, each rule's verdict, the plan, the ledger's actions, its state — for a
//! terminal or as JSON. Also finds a delivery for `redeliver`.

use crate::explain;
use crate::model::ForgeKind;
use crate::store::{self, Store};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// The forge `delivery_id` is stored under: `forge` when given; else the only forge that has
/// it. `Err` says why there is none.
pub(super) async fn find(
    store: &dyn Store,
    forge: Option<ForgeKind>,
    delivery_id: &str,
) -> Result<ForgeKind, String> {
    let forges = match forge {
        Some(f) => vec![f],
        None => vec![ForgeKind::Github, ForgeKind::Gitlab],
    };
    let mut found = Vec::new();
    for f in forges {
        match store.delivery(f, delivery_id).await {
            Ok(Some(_)) => found.push(f),
            Ok(None) => {}
            Err(e) => return Err(format!("cannot read the store: {e}")),
        }
    }
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!("no delivery `{delivery_id}` is stored")),
        _ => Err(format!(
            "both forges have a delivery `{delivery_id}`: name one with --forge"
        )),
    }
}

/// The store the configuration names, or `None` after saying why.
pub(super) async fn open_store(config: &crate::config::Config) -> Option<Arc<dyn Store>> {
    match store::open(config.database_url().expose_url()).await {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!("cannot open the store: {e}");
            None
        }
    }
}

pub(super) fn explain(
    path: &Path,
    delivery_id: &str,
    forge: Option<ForgeKind>,
    json: bool,
) -> ExitCode {
    let Some(config) = super::load_or_report(path) else {
        return ExitCode::FAILURE;
    };
    let Some(rt) = super::runtime() else {
        return ExitCode::FAILURE;
    };
    rt.block_on(async {
        let Some(store) = open_store(&config).await else {
            return ExitCode::FAILURE;
        };
        let forge = match find(store.as_ref(), forge, delivery_id).await {
            Ok(f) => f,
            Err(why) => {
                eprintln!("{why}");
                return ExitCode::FAILURE;
            }
        };
        let account = match explain::account(store.as_ref(), &config, forge, delivery_id).await {
            Ok(Some(a)) => a,
            Ok(None) => {
                eprintln!("no delivery `{delivery_id}` is stored");
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("cannot read the store: {e}");
                return ExitCode::FAILURE;
            }
        };
        if json {
            match serde_json::to_string_pretty(&account) {
                Ok(s) => println!("{s}"),
                Err(e) => {
                    eprintln!("cannot render the account: {e}");
                    return ExitCode::FAILURE;
                }
            }
        } else {
            print!("{account}");
        }
        ExitCode::SUCCESS
    })
}
