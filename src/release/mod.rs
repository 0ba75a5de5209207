//! Release logic, all pure (no I/O, no clock reads: "today" is always a parameter):
//! versions and tags, changelog sections, the release calendar, the release-manager
//! rotation, body templates, version-file bumps, and the bodies written around publishing.

pub mod bodies;
pub mod bump;
pub mod calendar;
pub mod changelog;
pub mod day;
mod de;
pub mod duty;
pub mod published;
pub mod rotation;
pub mod template;
#[cfg(test)]
mod tests_config;
pub mod version;

pub use bodies::{
    to_context, ChecklistContext, DeployEnvironment, DeployKind, DeployRequestContext,
    ReleaseMrContext, Requirement, DEFAULT_CHECKLIST, DEFAULT_DEPLOY_REQUEST, DEFAULT_RELEASE_MR,
};
pub use bump::{bump_cargo_toml, bump_package_json, bump_version_file, BumpError, VersionFile};
pub use calendar::{Cadence, Calendar, CalendarError, HolidayPolicy, ReleaseDate};
pub use changelog::{
    change_entries, config_changes, extract_section, group_changes, Change, ChangeEntry,
    ChangeGroup, RefStyle,
};
pub use duty::{manager_on_duty, release_on_or_before};
pub use published::{
    publish_fixed_comment, publish_fixed_marker, released_in_comment, FailedPublish,
    ReleasedSummary, MARKER_PUBLISH_FAILED, MARKER_PUBLISH_FIXED, MARKER_RELEASED_IN,
};
pub use rotation::{Rotation, RotationError, RotationPeriod};
pub use template::{
    ensure_marker, marker, Template, TemplateError, CHECKLIST_VARS, DEPLOY_REQUEST_VARS,
    MARKER_CHECKLIST, MARKER_DEPLOY_REQUEST, MARKER_RELEASE_MR, RELEASE_MR_VARS, RELEASE_NAME_VARS,
};
pub use version::{
    bump_kind, previous_tag, previous_tag_name, BumpKind, TagFormat, Version, VersionError,
};
