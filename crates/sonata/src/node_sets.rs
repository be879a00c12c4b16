//! `node_sets.json`: named node sets, in the syntax libsonata (`NodeSets`), bluepysnap and BMTK
//! read, for simulation configs to name (`"node_set": "exc"` in BMTK's inputs and reports).
//!
//! In: each node population with the values its nodes take for some attributes
//! ([`PopulationValues`]; netbuild gives `pop_name` and `model_type`). Out: [`NodeSets`], the
//! sets and the names it had to leave out. The sets, in this order of precedence for a name:
//!
//! 1. one per population, named after it: `{"population": "v1"}` (the set BMTK defines by
//!    itself for every population, so a file set of that name must mean the same);
//! 2. one per value of each attribute, in the order given, named after the value:
//!    `"L4_Exc": {"population": "v1", "pop_name": "L4_Exc"}` (`population` lists every
//!    population having that value, a string for one, a list for several);
//! 3. a value whose name is taken (by a population, or by an earlier attribute's value) is
//!    named `<attribute>_<value>` (`model_type_point_neuron` when a `pop_name` is
//!    `point_neuron`); if that is taken too, the set is left out and reported.
//!
//! `all` is never written: BMTK defines it as every node of every population, and a file set
//! would replace that. Only string and integer values make sets (libsonata refuses
//! non-integer numbers in node sets).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::config::write_json;
use crate::error::SonataError;

/// The file name of the node sets file, beside the circuit config.
pub const NODE_SETS: &str = "node_sets.json";

/// The name BMTK reserves for every node of the circuit.
const RESERVED: &str = "all";

/// A value an attribute takes on some nodes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SetValue {
    /// A string value.
    Str(String),
    /// An integer value.
    Int(i64),
}

impl SetValue {
    fn name(&self) -> String {
        match self {
            SetValue::Str(s) => s.clone(),
            SetValue::Int(i) => i.to_string(),
        }
    }

    fn json(&self) -> Value {
        match self {
            SetValue::Str(s) => json!(s),
            SetValue::Int(i) => json!(i),
        }
    }
}

/// One node population and the distinct values of each attribute on its nodes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PopulationValues {
    /// The node population.
    pub population: String,
    /// (attribute, its values in this population); attributes in the same order for every
    /// population.
    pub attributes: Vec<(String, Vec<SetValue>)>,
}

/// The node sets of a circuit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NodeSets {
    /// Set name → its definition.
    pub sets: BTreeMap<String, Value>,
    /// (set name wanted, why it was left out).
    pub skipped: Vec<(String, String)>,
}

impl NodeSets {
    /// The node sets of these populations (see the module docs for names and precedence).
    pub fn of(populations: &[PopulationValues]) -> NodeSets {
        let mut out = NodeSets::default();
        for p in populations {
            out.add(
                p.population.clone(),
                None,
                json!({ "population": p.population }),
            );
        }
        // attribute → value → populations having it, attributes in first-seen order.
        let mut attrs: Vec<(&str, BTreeMap<&SetValue, Vec<&str>>)> = Vec::new();
        for p in populations {
            for (attr, values) in &p.attributes {
                let i = match attrs.iter().position(|(a, _)| a == attr) {
                    Some(i) => i,
                    None => {
                        attrs.push((attr, BTreeMap::new()));
                        attrs.len() - 1
                    }
                };
                for v in values {
                    attrs[i].1.entry(v).or_default().push(&p.population);
                }
            }
        }
        for (attr, values) in attrs {
            for (value, pops) in values {
                let population = match pops.as_slice() {
                    [one] => json!(one),
                    many => json!(many),
                };
                let mut def = serde_json::Map::new();
                def.insert("population".into(), population);
                def.insert(attr.to_string(), value.json());
                out.add(value.name(), Some(attr), Value::Object(def));
            }
        }
        out
    }

    /// Adds a set under `name`, or `<attribute>_<name>` when `name` is taken, or reports it.
    fn add(&mut self, name: String, attribute: Option<&str>, def: Value) {
        let free = |n: &str, sets: &BTreeMap<String, Value>| n != RESERVED && !sets.contains_key(n);
        if free(&name, &self.sets) {
            self.sets.insert(name, def);
            return;
        }
        if let Some(attr) = attribute {
            let qualified = format!("{attr}_{name}");
            if free(&qualified, &self.sets) {
                self.sets.insert(qualified, def);
                return;
            }
        }
        let why = if name == RESERVED {
            format!("'{RESERVED}' is every node of the circuit in BMTK")
        } else {
            "the name is taken by another set".to_string()
        };
        self.skipped.push((name, why));
    }

    /// The JSON document.
    pub fn to_json(&self) -> Value {
        Value::Object(self.sets.clone().into_iter().collect())
    }
}

/// Writes `<dir>/node_sets.json`. Returns its path.
pub fn write_node_sets(dir: &Path, sets: &NodeSets) -> Result<PathBuf, SonataError> {
    let path = dir.join(NODE_SETS);
    write_json(&path, &sets.to_json())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pop(name: &str, attrs: &[(&str, &[&str])]) -> PopulationValues {
        PopulationValues {
            population: name.into(),
            attributes: attrs
                .iter()
                .map(|(a, vs)| {
                    (
                        a.to_string(),
                        vs.iter().map(|v| SetValue::Str(v.to_string())).collect(),
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn populations_and_values() {
        let sets = NodeSets::of(&[
            pop(
                "v1",
                &[
                    ("pop_name", &["e4", "i4"]),
                    ("model_type", &["point_neuron"]),
                ],
            ),
            pop(
                "lgn",
                &[("pop_name", &["tON"]), ("model_type", &["virtual"])],
            ),
        ]);
        assert!(sets.skipped.is_empty());
        let j = sets.to_json();
        assert_eq!(j["v1"], json!({"population": "v1"}));
        assert_eq!(j["lgn"], json!({"population": "lgn"}));
        assert_eq!(j["e4"], json!({"population": "v1", "pop_name": "e4"}));
        assert_eq!(j["tON"], json!({"population": "lgn", "pop_name": "tON"}));
        assert_eq!(
            j["point_neuron"],
            json!({"population": "v1", "model_type": "point_neuron"})
        );
        assert_eq!(
            j["virtual"],
            json!({"population": "lgn", "model_type": "virtual"})
        );
        assert_eq!(j.as_object().unwrap().len(), 7);
    }

    #[test]
    fn shared_values_list_every_population() {
        let sets = NodeSets::of(&[
            pop("a", &[("pop_name", &["exc"])]),
            pop("b", &[("pop_name", &["exc"])]),
        ]);
        assert_eq!(
            sets.to_json()["exc"],
            json!({"population": ["a", "b"], "pop_name": "exc"})
        );
    }

    #[test]
    fn collisions_are_qualified_then_reported() {
        let sets = NodeSets::of(&[
            pop(
                "exc",
                &[
                    ("pop_name", &["exc", "point_neuron", "all"]),
                    ("model_type", &["point_neuron"]),
                ],
            ),
            pop("all", &[]),
            pop("pop_name_exc", &[]),
        ]);
        let j = sets.to_json();
        // The population keeps its name; the pop_name value would be `pop_name_exc`, taken too.
        assert_eq!(j["exc"], json!({"population": "exc"}));
        assert_eq!(j["pop_name_exc"], json!({"population": "pop_name_exc"}));
        // `all` is BMTK's: a population named so gets no set, a value gets the long name.
        assert!(j.get("all").is_none());
        assert_eq!(
            j["pop_name_all"],
            json!({"population": "exc", "pop_name": "all"})
        );
        assert_eq!(
            j["point_neuron"],
            json!({"population": "exc", "pop_name": "point_neuron"})
        );
        assert_eq!(
            j["model_type_point_neuron"],
            json!({"population": "exc", "model_type": "point_neuron"})
        );
        let skipped: Vec<&str> = sets.skipped.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(skipped, ["all", "exc"]);
    }

    #[test]
    fn integer_values() {
        let sets = NodeSets::of(&[PopulationValues {
            population: "net".into(),
            attributes: vec![("layer".into(), vec![SetValue::Int(4)])],
        }]);
        assert_eq!(
            sets.to_json()["4"],
            json!({"population": "net", "layer": 4})
        );
    }
}
