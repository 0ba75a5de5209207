//! The per-repository lists both adapters keep — label names, open milestones, milestone
//! title → id — so that the commands of one comment (and a burst of comments) read each list
//! once, and a milestone missing from the cache is looked for again on the forge.

use super::cache::{TtlCache, LIST_CAPACITY, LIST_TTL};
use crate::forge::ForgeError;
use crate::model::{Milestone, RepoPath};
use std::future::Future;

/// Cached lists of the repositories one client serves.
#[derive(Debug)]
pub struct RepoLists {
    /// Repository → label names.
    labels: TtlCache<RepoPath, Vec<String>>,
    /// Repository → open milestones.
    milestones: TtlCache<RepoPath, Vec<Milestone>>,
    /// `(repository, milestone title)` → the id the forge's writes take.
    milestone_ids: TtlCache<(RepoPath, String), u64>,
    /// Which id of a milestone that is (GitHub: its number, GitLab: its global id).
    milestone_id_of: fn(&Milestone) -> u64,
}

impl RepoLists {
    pub fn new(milestone_id_of: fn(&Milestone) -> u64) -> Self {
        RepoLists {
            labels: TtlCache::new(LIST_CAPACITY, LIST_TTL),
            milestones: TtlCache::new(LIST_CAPACITY, LIST_TTL),
            milestone_ids: TtlCache::default(),
            milestone_id_of,
        }
    }

    /// The label names of `repo`, from the cache or `fetch`.
    pub async fn labels(
        &self,
        repo: &RepoPath,
        fetch: impl Future<Output = Result<Vec<String>, ForgeError>>,
    ) -> Result<Vec<String>, ForgeError> {
        self.labels.get_or_fetch(repo.clone(), fetch).await
    }

    /// Forget the labels of `repo` (after creating one).
    pub fn forget_labels(&self, repo: &RepoPath) {
        self.labels.remove(repo);
    }

    /// The open milestones of `repo`, from the cache or `fetch`.
    pub async fn milestones(
        &self,
        repo: &RepoPath,
        fetch: impl Future<Output = Result<Vec<Milestone>, ForgeError>>,
    ) -> Result<Vec<Milestone>, ForgeError> {
        match self.milestones.get(repo) {
            Some(list) => Ok(list),
            None => Ok(self.store_milestones(repo, fetch.await?)),
        }
    }

    /// The id of the milestone titled `title`; a title not in the cache re-reads the list
    /// with `fetch` (the milestone may have been created since).
    pub async fn milestone_id(
        &self,
        repo: &RepoPath,
        title: &str,
        fetch: impl Future<Output = Result<Vec<Milestone>, ForgeError>>,
    ) -> Result<u64, ForgeError> {
        if let Some(id) = self.milestone_ids.get(&(repo.clone(), title.to_string())) {
            return Ok(id);
        }
        let found = self.store_milestones(repo, fetch.await?);
        found
            .iter()
            .find(|m| m.title == title)
            .map(self.milestone_id_of)
            .ok_or_else(|| ForgeError::NotFound(format!("milestone \"{title}\" in {repo}")))
    }

    /// Keep a freshly read list (and the ids of its milestones).
    fn store_milestones(&self, repo: &RepoPath, milestones: Vec<Milestone>) -> Vec<Milestone> {
        for m in &milestones {
            let key = (repo.clone(), m.title.clone());
            self.milestone_ids.insert(key, (self.milestone_id_of)(m));
        }
        self.milestones.insert(repo.clone(), milestones.clone());
        milestones
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn milestone(id: u64, number: u64, title: &str) -> Milestone {
        Milestone {
            id,
            number_or_iid: number,
            title: title.into(),
            start_date: None,
            due_date: None,
        }
    }

    #[tokio::test]
    async fn milestone_ids_come_from_the_cache_after_one_read() {
        let lists = RepoLists::new(|m| m.id);
        let repo = RepoPath::parse("g/p").unwrap();
        let reads = Cell::new(0);
        let fetch = || async {
            reads.set(reads.get() + 1);
            Ok(vec![milestone(11, 1, "1.4"), milestone(12, 2, "Backlog")])
        };
        assert_eq!(lists.milestone_id(&repo, "1.4", fetch()).await, Ok(11));
        assert_eq!(lists.milestone_id(&repo, "Backlog", fetch()).await, Ok(12));
        assert_eq!(lists.milestones(&repo, fetch()).await.unwrap().len(), 2);
        assert_eq!(reads.get(), 1, "the list was read once");
        let err = lists.milestone_id(&repo, "9.9", fetch()).await.unwrap_err();
        assert_eq!(err, ForgeError::NotFound("milestone \"9.9\" in g/p".into()));
        assert_eq!(reads.get(), 2, "an unknown title reads the list again");
    }

    #[tokio::test]
    async fn the_id_a_forge_takes_is_its_own() {
        let lists = RepoLists::new(|m| m.number_or_iid);
        let repo = RepoPath::parse("o/r").unwrap();
        let fetch = async { Ok(vec![milestone(11, 1, "1.4")]) };
        assert_eq!(lists.milestone_id(&repo, "1.4", fetch).await, Ok(1));
    }

    #[tokio::test]
    async fn labels_are_forgotten_on_request() {
        let lists = RepoLists::new(|m| m.id);
        let repo = RepoPath::parse("o/r").unwrap();
        let read = |names: &[&str]| {
            let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
            async move { Ok(names) }
        };
        assert_eq!(lists.labels(&repo, read(&["a"])).await.unwrap(), ["a"]);
        assert_eq!(lists.labels(&repo, read(&["b"])).await.unwrap(), ["a"]);
        lists.forget_labels(&repo);
        assert_eq!(lists.labels(&repo, read(&["b"])).await.unwrap(), ["b"]);
    }
}
