//! Exports for e-discovery: RSMF 2.0 (`rsmf`) and EML (`eml`), both over a search result
//! and both audited. `mime` writes the e-mail containers.

pub mod eml;
pub mod mime;
pub mod rsmf;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::audit;
use crate::error::ArchiveError;
use crate::query::{self, Query};
use crate::stored::ArchivedMessage;
use crate::Archive;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmlGrouping {
    /// One `.eml` per message.
    Message,
    /// One `.eml` per conversation, the transcript as its body.
    Thread,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    pub files: Vec<PathBuf>,
    pub messages: u64,
}

impl Archive {
    fn export_selection(&self, q: &Query) -> Result<Vec<ArchivedMessage>, ArchiveError> {
        query::load(&self.conn, &query::matching_seqs(&self.conn, q)?)
    }

    /// Writes one `.rsmf` per conversation per day into `out_dir` and audits the export.
    pub fn export_rsmf(
        &mut self,
        q: &Query,
        actor: &str,
        out_dir: &Path,
    ) -> Result<ExportReport, ArchiveError> {
        let messages = self.export_selection(q)?;
        std::fs::create_dir_all(out_dir)?;
        let mut report = ExportReport {
            messages: messages.len() as u64,
            ..ExportReport::default()
        };
        for (stem, part) in rsmf::split(&messages) {
            let path = out_dir.join(format!("{stem}.rsmf"));
            std::fs::write(&path, rsmf::rsmf_file(part)?)?;
            report.files.push(path);
        }
        self.audit_export("export_rsmf", q, actor, &report)?;
        Ok(report)
    }

    /// Writes `.eml` files (per message or per conversation) into `out_dir` and audits it.
    pub fn export_eml(
        &mut self,
        q: &Query,
        actor: &str,
        out_dir: &Path,
        grouping: EmlGrouping,
    ) -> Result<ExportReport, ArchiveError> {
        let messages = self.export_selection(q)?;
        std::fs::create_dir_all(out_dir)?;
        let mut report = ExportReport {
            messages: messages.len() as u64,
            ..ExportReport::default()
        };
        match grouping {
            EmlGrouping::Message => {
                for m in &messages {
                    let path = out_dir.join(format!("{}.eml", mime::file_stem(&m.stored.msgid)));
                    std::fs::write(&path, eml::message_eml(m))?;
                    report.files.push(path);
                }
            }
            EmlGrouping::Thread => {
                // `load` returns messages ordered by conversation, then time.
                for thread in
                    messages.chunk_by(|a, b| a.stored.conversation_id == b.stored.conversation_id)
                {
                    let path = out_dir.join(format!(
                        "{}.eml",
                        mime::file_stem(&thread[0].stored.conversation_id)
                    ));
                    std::fs::write(&path, eml::thread_eml(thread))?;
                    report.files.push(path);
                }
            }
        }
        self.audit_export("export_eml", q, actor, &report)?;
        Ok(report)
    }

    fn audit_export(
        &mut self,
        action: &str,
        q: &Query,
        actor: &str,
        report: &ExportReport,
    ) -> Result<(), ArchiveError> {
        let detail = serde_json::json!({ "query": q, "messages": report.messages, "files": report.files.len() });
        self.write(|conn, chain, key| audit::append(conn, chain, key, actor, action, detail))?;
        Ok(())
    }
}
