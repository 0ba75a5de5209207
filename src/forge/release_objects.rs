//! What the release methods of [`ReleaseForge`](super::ReleaseForge) take and give back
//! beyond the shared model: the forge's release object for a tag, the fields forgehand
//! writes into one, and an issue found again by its marker.

/// A GitHub release or a GitLab release, as the forge has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgeRelease {
    /// GitHub's release id (its updates take it); GitLab addresses releases by tag.
    pub id: Option<u64>,
    pub tag: String,
    pub name: String,
    pub notes: String,
    /// Not published yet (GitHub drafts; GitLab has none).
    pub draft: bool,
    /// Flagged as a pre-release (GitHub; GitLab has no such flag).
    pub prerelease: bool,
    /// Milestone titles the release is linked to (GitLab).
    pub milestones: Vec<String>,
    /// Login of whoever created it.
    pub author: Option<String>,
    pub url: Option<String>,
}

/// What forgehand writes into a release. A forge ignores what it has no place for (GitHub
/// links no milestones, GitLab has neither drafts nor a pre-release flag); the plan asks a
/// forge only for what it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseFields<'a> {
    pub tag: &'a str,
    pub name: &'a str,
    pub notes: &'a str,
    pub draft: bool,
    pub prerelease: bool,
    /// Milestone titles to link; empty leaves the release's milestones as they are.
    pub milestones: &'a [String],
}

impl ReleaseFields<'_> {
    /// Whether `release` already says all of this (notes compared without trailing
    /// whitespace, which forges trim).
    pub fn is_met_by(&self, release: &ForgeRelease) -> bool {
        release.name == self.name
            && release.notes.trim_end() == self.notes.trim_end()
            && release.draft == self.draft
            && release.prerelease == self.prerelease
            && (self.milestones.is_empty() || release.milestones.as_slice() == self.milestones)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release() -> ForgeRelease {
        ForgeRelease {
            id: Some(1),
            tag: "v1.4.0".into(),
            name: "v1.4.0".into(),
            notes: "### Added\n- Dark mode.\n".into(),
            draft: false,
            prerelease: false,
            milestones: vec!["1.4".into()],
            author: None,
            url: None,
        }
    }

    #[test]
    fn fields_are_compared_as_the_forge_keeps_them() {
        let milestones = vec!["1.4".to_string()];
        let fields = ReleaseFields {
            tag: "v1.4.0",
            name: "v1.4.0",
            notes: "### Added\n- Dark mode.",
            draft: false,
            prerelease: false,
            milestones: &[],
        };
        // No milestone asked for leaves the linked one alone; trailing newlines don't count.
        assert!(fields.is_met_by(&release()));
        let cases = [
            ReleaseFields {
                draft: true,
                ..fields.clone()
            },
            ReleaseFields {
                prerelease: true,
                ..fields.clone()
            },
            ReleaseFields {
                name: "Release 1.4",
                ..fields.clone()
            },
            ReleaseFields {
                notes: "- Other.",
                ..fields.clone()
            },
        ];
        for changed in cases {
            assert!(!changed.is_met_by(&release()), "{changed:?}");
        }
        let linked = ReleaseFields {
            milestones: &milestones,
            ..fields.clone()
        };
        assert!(linked.is_met_by(&release()));
        let unlinked = ForgeRelease {
            milestones: vec![],
            ..release()
        };
        assert!(!linked.is_met_by(&unlinked));
    }
}
