//! Fault injection, for tests of the failure path: a plan that makes one rank fail at one
//! stage of the build, while the others wait in a collective.
//!
//! In: a [`FaultPlan`] in [`crate::BuildOptions::fault`] (the binary makes it from
//! `NETBUILD_INJECT_FAULT`: `R` or `R:write`). Out: [`injected`], asked at each stage; the
//! stage then returns its `Injected` error. No plan (the default) never fails.

/// Where the build stops on the faulty rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultStage {
    /// After generating the first population's edges, while the other ranks wait in the
    /// collator.
    AfterGenerating,
    /// After the first chunk of the parallel writer, while the other ranks are in the next
    /// collective write.
    Writing,
}

/// Which rank fails, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultPlan {
    /// The rank that fails.
    pub rank: usize,
    /// Where it fails.
    pub stage: FaultStage,
}

impl FaultPlan {
    /// Reads `R` (rank R fails after generating) or `R:write` (rank R fails while the parallel
    /// writer writes); anything else is no plan.
    pub fn parse(text: &str) -> Option<FaultPlan> {
        let (rank, stage) = text.split_once(':').unwrap_or((text, ""));
        let stage = match stage {
            "" => FaultStage::AfterGenerating,
            "write" => FaultStage::Writing,
            _ => return None,
        };
        Some(FaultPlan {
            rank: rank.parse().ok()?,
            stage,
        })
    }
}

/// Whether `plan` makes rank `rank` fail at `stage`.
pub(crate) fn injected(plan: Option<&FaultPlan>, rank: usize, stage: FaultStage) -> bool {
    plan.is_some_and(|p| p.rank == rank && p.stage == stage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_name_a_rank_and_a_stage() {
        let at = |rank, stage| Some(FaultPlan { rank, stage });
        assert_eq!(FaultPlan::parse("1"), at(1, FaultStage::AfterGenerating));
        assert_eq!(FaultPlan::parse("0:write"), at(0, FaultStage::Writing));
        assert_eq!(FaultPlan::parse("1:read"), None);
        assert_eq!(FaultPlan::parse("x"), None);
        assert_eq!(FaultPlan::parse(""), None);
        let plan = FaultPlan::parse("2:write");
        assert!(injected(plan.as_ref(), 2, FaultStage::Writing));
        assert!(!injected(plan.as_ref(), 2, FaultStage::AfterGenerating));
        assert!(!injected(plan.as_ref(), 1, FaultStage::Writing));
        assert!(!injected(None, 0, FaultStage::AfterGenerating));
    }
}
