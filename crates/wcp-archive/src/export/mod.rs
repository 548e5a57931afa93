//! Exports for e-discovery: RSMF 2.0 (`rsmf`) and EML (`eml`), both over a search result
//! and both audited. `mime` writes the e-mail containers; `media` says what a media message
//! sent and `store` finds its bytes in the region's media store. A message disposed of
//! under retention appears in its place (`entry` merges them, `placeholder` renders them).

pub mod case;
pub mod eml;
pub mod entry;
pub mod media;
pub mod mime;
pub mod placeholder;
pub mod rsmf;
pub mod store;

pub use entry::{entries, Entry};

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use wcp_model::EventKind;

use crate::audit;
use crate::error::ArchiveError;
use crate::query::Query;
use crate::stored::ArchivedMessage;
use crate::Archive;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmlGrouping {
    /// One `.eml` per message.
    Message,
    /// One `.eml` per conversation, the transcript as its body.
    Thread,
}

/// What an export is given beyond the selection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportOptions {
    /// The zone days and times are written in, minutes east of UTC (the policy's
    /// `utc_offset_minutes`, as the console and `wcp archive search` show them).
    pub zone: i32,
    /// The capture's `media_dir` (holding `<region>/sha256/…`): media found there goes into
    /// the export as attachments; without it each media message says the store was not
    /// available.
    pub media_dir: Option<PathBuf>,
    /// The legal-hold case the export is made for ([`Archive::export_case`]): the selection
    /// is then what its holds cover (the query given must be empty), and every file names it.
    pub case: Option<case::ExportCase>,
}

/// What the renderers know besides the messages: the zone times are written in and the
/// media found.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Minutes east of UTC.
    pub zone: i32,
    pub media: media::Resolved,
    pub case: Option<case::ExportCase>,
}

impl Context {
    /// "Case X: " before a subject, when the export is made for a case.
    pub fn case_prefix(&self) -> String {
        self.case
            .as_ref()
            .map(|c| format!("Case {}: ", c.case_id))
            .unwrap_or_default()
    }

    /// `X-WCP-Case` and one `X-WCP-Hold` per hold (in words; one each keeps every line
    /// short of RFC 5322's 998 characters), when made for a case.
    pub fn case_headers(&self) -> Vec<(&'static str, String)> {
        let Some(c) = &self.case else {
            return Vec::new();
        };
        let mut h = vec![("X-WCP-Case", c.case_id.clone())];
        h.extend(c.holds.iter().map(|x| ("X-WCP-Hold", x.clone())));
        h
    }
}

impl Context {
    /// A context without a media store (tests, and exports given none).
    pub fn in_zone(zone: i32) -> Context {
        Context {
            zone,
            ..Context::default()
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    pub files: Vec<PathBuf>,
    /// What was exported, by kind of record.
    pub counts: Counts,
    /// Messages of the whole archive disposed of before their tombstones recorded where they
    /// were (older versions): no export can place them.
    pub unplaced: u64,
    /// Exported records that were altered after archiving, as they read now
    /// ([`crate::evidence::Evidence::altered`]): the production must not be used as is.
    pub altered: Vec<String>,
}

/// The records of an export by kind (trial 18d D7: the console and the EML said "5 messages"
/// where the RSMF had 4 events, a recall counted as a message in one and folded into its
/// message in the other). Every export and the console say these same numbers in words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Every archived record exported.
    pub records: u64,
    /// Chat messages (text, media, …): one RSMF `message` event each.
    pub messages: u64,
    /// Recall records: shown on their message (RSMF `deleted`, EML `[recalled …]`).
    pub recalls: u64,
    /// Consent (agree/disagree) and account-switch records: RSMF `disclaimer` events.
    pub notices: u64,
    /// Messages disposed of under retention: their tombstones, each a placeholder where the
    /// message was (RSMF `disclaimer`, EML `[disposed of]` line; trial 18c D5).
    pub disposed: u64,
}

impl Counts {
    pub fn of(entries: &[Entry<'_>]) -> Counts {
        let mut c = Counts::default();
        for e in entries {
            c.records += 1;
            let Entry::Message(m) = e else {
                c.disposed += 1;
                continue;
            };
            match m.stored.kind {
                EventKind::Message => c.messages += 1,
                EventKind::Recall { .. } => c.recalls += 1,
                EventKind::Consent { .. } | EventKind::Switch { .. } => c.notices += 1,
            }
        }
        c
    }

    /// Adds another export's counts (the console exports a case hold by hold).
    pub fn add(&mut self, o: &Counts) {
        self.records += o.records;
        self.messages += o.messages;
        self.recalls += o.recalls;
        self.notices += o.notices;
        self.disposed += o.disposed;
    }

    /// "4 messages" when every record is a message, else "5 records: 4 messages, 1 recall".
    pub fn words(&self) -> String {
        let n = |k: u64, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        let messages = n(self.messages, "message", "messages");
        if self.records == self.messages {
            return messages;
        }
        let mut parts = vec![messages];
        if self.recalls > 0 {
            parts.push(n(self.recalls, "recall", "recalls"));
        }
        if self.notices > 0 {
            parts.push(n(
                self.notices,
                "consent or account notice",
                "consent or account notices",
            ));
        }
        if self.disposed > 0 {
            parts.push(n(
                self.disposed,
                "message disposed of under retention",
                "messages disposed of under retention",
            ));
        }
        format!(
            "{}: {}",
            n(self.records, "record", "records"),
            parts.join(", ")
        )
    }
}

/// A record that is not a chat message, in words (the RSMF disclaimer's body, the EML line).
pub fn notice(s: &crate::stored::StoredMessage) -> Option<String> {
    match &s.kind {
        EventKind::Message => None,
        EventKind::Recall { pre_msgid } => {
            Some(format!("{} recalled message {pre_msgid}", s.from.id))
        }
        EventKind::Consent {
            contact, agreed, ..
        } => {
            let verb = if *agreed { "agreed to" } else { "declined" };
            Some(format!(
                "{contact} {verb} the archiving of this conversation"
            ))
        }
        EventKind::Switch { user } => Some(format!("{user} switched enterprise account")),
    }
}

/// The console's warning on a recall recorded before its message was sent, carried into
/// exports (trial 18c D5): neither time can be read as is.
pub fn recall_note(m: &ArchivedMessage) -> Option<String> {
    let at = m.recalled_at_ms?;
    let early = m.stored.time_ms - at;
    (early > 0).then(|| {
        format!(
            "the recall is recorded {} s before the message was sent: the capture's clock or order is off, so neither time can be taken as is",
            early / 1000
        )
    })
}

/// The media items of `messages` per region (the message's retention region: a region's
/// export reads its own region's store only).
fn wanted_media(messages: &[ArchivedMessage]) -> HashMap<String, store::Wanted> {
    let mut out: HashMap<String, store::Wanted> = HashMap::new();
    for m in messages {
        let s = &m.stored;
        let Some(region) = s.retention.as_ref().map(|r| r.region.clone()) else {
            continue;
        };
        for it in media::items(&s.msgtype, &s.payload_json) {
            if let Some(md5) = it.md5 {
                out.entry(region.clone()).or_default().push((md5, it.size));
            }
        }
    }
    out
}

/// (file name, bytes) of each file an export writes.
type Files = Vec<(String, Vec<u8>)>;

impl Archive {
    /// Writes one `.rsmf` per conversation per day into `out_dir` and audits the export.
    /// Days and times are in `zone` (minutes east of UTC: the policy's `utc_offset_minutes`,
    /// as the console and `wcp archive search` read and show them).
    pub fn export_rsmf(
        &mut self,
        q: &Query,
        actor: &str,
        out_dir: &Path,
        zone: i32,
    ) -> Result<ExportReport, ArchiveError> {
        let opts = ExportOptions {
            zone,
            ..ExportOptions::default()
        };
        self.export_rsmf_with(q, actor, out_dir, &opts)
    }

    /// [`Archive::export_rsmf`] with the media store (and what else `opts` gives).
    pub fn export_rsmf_with(
        &mut self,
        q: &Query,
        actor: &str,
        out_dir: &Path,
        opts: &ExportOptions,
    ) -> Result<ExportReport, ArchiveError> {
        self.export(q, actor, out_dir, "export_rsmf", opts, |entries, cx| {
            rsmf::split(entries, cx.zone)
                .into_iter()
                .map(|(stem, part)| Ok((format!("{stem}.rsmf"), rsmf::rsmf_file(part, cx)?)))
                .collect()
        })
    }

    /// Writes `.eml` files (per message or per conversation) into `out_dir` and audits it;
    /// times in `zone` as for [`Archive::export_rsmf`].
    pub fn export_eml(
        &mut self,
        q: &Query,
        actor: &str,
        out_dir: &Path,
        grouping: EmlGrouping,
        zone: i32,
    ) -> Result<ExportReport, ArchiveError> {
        let opts = ExportOptions {
            zone,
            ..ExportOptions::default()
        };
        self.export_eml_with(q, actor, out_dir, grouping, &opts)
    }

    /// [`Archive::export_eml`] with the media store (and what else `opts` gives).
    pub fn export_eml_with(
        &mut self,
        q: &Query,
        actor: &str,
        out_dir: &Path,
        grouping: EmlGrouping,
        opts: &ExportOptions,
    ) -> Result<ExportReport, ArchiveError> {
        self.export(q, actor, out_dir, "export_eml", opts, |entries, cx| {
            Ok(match grouping {
                EmlGrouping::Message => entries
                    .iter()
                    .map(|e| {
                        let bytes = match e {
                            Entry::Message(m) => eml::message_eml(m, cx),
                            Entry::Disposed(d) => placeholder::eml(d, cx.zone),
                        };
                        (format!("{}.eml", mime::file_stem(e.msgid())), bytes)
                    })
                    .collect(),
                // `entries` are ordered by conversation, then time.
                EmlGrouping::Thread => entries
                    .chunk_by(|a, b| a.conversation_id() == b.conversation_id())
                    .map(|t| {
                        (
                            format!("{}.eml", mime::file_stem(t[0].conversation_id())),
                            eml::thread_eml(t, cx),
                        )
                    })
                    .collect(),
            })
        })
    }

    /// Selects, renders with `render`, audits (who, the query, how many messages and
    /// files, where to), then writes into `out_dir`.
    fn export(
        &mut self,
        q: &Query,
        actor: &str,
        out_dir: &Path,
        action: &str,
        opts: &ExportOptions,
        render: impl FnOnce(&[Entry<'_>], &Context) -> Result<Files, ArchiveError>,
    ) -> Result<ExportReport, ArchiveError> {
        audit::check_actor(actor)?;
        // From the records themselves, not the search tables (evidence.rs).
        let evidence = match &opts.case {
            None => crate::evidence::select(&self.conn, q)?,
            Some(_) if *q != Query::default() => {
                return Err(ArchiveError::Invalid(
                    "export a case or a search, not both: a case's holds are its selection".into(),
                ))
            }
            Some(c) => crate::evidence::select_any(&self.conn, &c.queries)?,
        };
        let messages = &evidence.messages;
        let cx = Context {
            case: opts.case.clone(),
            zone: opts.zone,
            media: store::resolve(opts.media_dir.as_deref(), &wanted_media(messages))?,
        };
        let files = render(&entries(&evidence), &cx)?;
        // Audited before any byte leaves the archive: a failed write after this still shows
        // as an attempted export, never the other way round.
        let ids: Vec<&str> = messages.iter().map(|m| m.stored.msgid.as_str()).collect();
        let disposed: Vec<&str> = evidence.disposed.iter().map(|d| d.msgid.as_str()).collect();
        let detail = serde_json::json!({
            "query": q, "case": opts.case.as_ref().map(|c| &c.case_id), "messages": messages.len(),
            "msgids": ids, "disposed_msgids": disposed, "files": files.len(), "out_dir": out_dir,
        });
        self.record_access(actor, action, detail)?;
        std::fs::create_dir_all(out_dir)?;
        let mut report = ExportReport {
            counts: Counts::of(&entries(&evidence)),
            unplaced: evidence.unplaced,
            altered: evidence.altered.clone(),
            ..ExportReport::default()
        };
        for (name, bytes) in files {
            let path = out_dir.join(name);
            // Never over a file already there (the user's, or an earlier export's: a
            // production is not silently replaced).
            let mut f = match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(ArchiveError::Invalid(format!(
                        "{} exists: not overwritten (export into a new or empty folder)",
                        path.display()
                    )))
                }
                Err(e) => return Err(e.into()),
            };
            std::io::Write::write_all(&mut f, &bytes)?;
            report.files.push(path);
        }
        Ok(report)
    }
}
