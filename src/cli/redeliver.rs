//! `forgehand redeliver DELIVERY`: queue a failed delivery again.

use crate::model::ForgeKind;
use crate::store::Redelivery;
use std::path::Path;
use std::process::ExitCode;

pub(super) fn redeliver(path: &Path, delivery_id: &str, forge: Option<ForgeKind>) -> ExitCode {
    let Some(config) = super::load_or_report(path) else {
        return ExitCode::FAILURE;
    };
    let Some(rt) = super::runtime() else {
        return ExitCode::FAILURE;
    };
    rt.block_on(async {
        let Some(store) = super::explain::open_store(&config).await else {
            return ExitCode::FAILURE;
        };
        let forge = match super::explain::find(store.as_ref(), forge, delivery_id).await {
            Ok(f) => f,
            Err(why) => {
                eprintln!("{why}");
                return ExitCode::FAILURE;
            }
        };
        let name = format!("{}:{delivery_id}", forge.as_str());
        match store.redeliver(forge, delivery_id).await {
            Ok(Redelivery::Queued) => {
                println!("{name} queued again; a running forgehand picks it up");
                ExitCode::SUCCESS
            }
            Ok(Redelivery::NotFailed(state)) => {
                eprintln!("{name} is {state}, not failed: only a failed delivery is queued again");
                ExitCode::FAILURE
            }
            Ok(Redelivery::NotFound) => {
                eprintln!("no delivery `{delivery_id}` is stored");
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("cannot queue {name} again: {e}");
                ExitCode::FAILURE
            }
        }
    })
}
