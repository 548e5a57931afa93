//! The fixed vocabulary of compliance-risk categories (DESIGN.md "Names that the evaluation relies on").

use serde::{Deserialize, Serialize};

/// One of the nine risk categories. A closed enum: the evaluation, the alert rules and the
/// dashboard all rely on exactly these names (`as_str`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskCategory {
    GuaranteeOfReturns,
    InsiderInformation,
    MarketManipulation,
    OffChannel,
    EvidenceDestruction,
    BriberyGifts,
    ConfidentialityBreach,
    Complaint,
    UnauthorizedTrading,
}

impl RiskCategory {
    /// Every category, in the fixed order used by reports.
    pub const ALL: [RiskCategory; 9] = [
        RiskCategory::GuaranteeOfReturns,
        RiskCategory::InsiderInformation,
        RiskCategory::MarketManipulation,
        RiskCategory::OffChannel,
        RiskCategory::EvidenceDestruction,
        RiskCategory::BriberyGifts,
        RiskCategory::ConfidentialityBreach,
        RiskCategory::Complaint,
        RiskCategory::UnauthorizedTrading,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RiskCategory::GuaranteeOfReturns => "guarantee_of_returns",
            RiskCategory::InsiderInformation => "insider_information",
            RiskCategory::MarketManipulation => "market_manipulation",
            RiskCategory::OffChannel => "off_channel",
            RiskCategory::EvidenceDestruction => "evidence_destruction",
            RiskCategory::BriberyGifts => "bribery_gifts",
            RiskCategory::ConfidentialityBreach => "confidentiality_breach",
            RiskCategory::Complaint => "complaint",
            RiskCategory::UnauthorizedTrading => "unauthorized_trading",
        }
    }

    pub fn parse(s: &str) -> Option<RiskCategory> {
        RiskCategory::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for RiskCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in RiskCategory::ALL {
            assert_eq!(RiskCategory::parse(c.as_str()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
        assert_eq!(RiskCategory::parse("nope"), None);
    }
}
