//! Reading the edge populations of a SONATA edges file, for every reader of netbuild: `file`
//! rules (a population's rows and property columns, read whole) and `report` (its rows
//! streamed in blocks, its size and node populations).
//!
//! In: the path of an edges file. Out: [`EdgeFile`], the populations under `/edges`, each an
//! [`EdgePopulationReader`] that reads its top-level datasets (`source_node_id`,
//! `edge_type_id`, ...) whole or by row range, and an [`EdgeColumn`] of one of its edge groups.
//! Values are converted by HDF5 to the type asked for (`u64`, `i64`, `f64`, ...), as readers
//! of any writer's files need. Errors name the file and the object.

use std::ops::Range;
use std::path::{Path, PathBuf};

use hdf5::types::{FloatSize, IntSize, TypeDescriptor};
use hdf5::H5Type;
use netbuild_types::Dtype;

use crate::error::SonataError;
use crate::read::attr::string_attr;
use crate::read::nodes::{dataset_names, open};

/// An edges file open for reading.
pub struct EdgeFile {
    path: PathBuf,
    file: hdf5::File,
}

impl EdgeFile {
    /// Opens the file at `path`.
    pub fn open(path: &Path) -> Result<EdgeFile, SonataError> {
        Ok(EdgeFile {
            path: path.to_path_buf(),
            file: open(path)?,
        })
    }

    /// Whether the file has an `/edges` group (a SONATA edges file).
    pub fn has_edges(&self) -> bool {
        self.file.link_exists("edges")
    }

    /// The names of the populations under `/edges`, sorted.
    pub fn population_names(&self) -> Result<Vec<String>, SonataError> {
        let edges = self
            .file
            .group("edges")
            .map_err(|e| SonataError::hdf5(&self.path, "/edges", e))?;
        let mut names = edges
            .member_names()
            .map_err(|e| SonataError::hdf5(&self.path, "/edges", e))?;
        names.sort();
        Ok(names)
    }

    /// Population `name`.
    pub fn population(&self, name: &str) -> Result<EdgePopulationReader, SonataError> {
        let at = format!("/edges/{name}");
        let group = self
            .file
            .group(&at)
            .map_err(|e| SonataError::hdf5(&self.path, &at, e))?;
        Ok(EdgePopulationReader {
            path: self.path.clone(),
            name: name.to_string(),
            at,
            group,
        })
    }
}

/// One edge population of an [`EdgeFile`].
pub struct EdgePopulationReader {
    path: PathBuf,
    name: String,
    /// `/edges/<name>`, for messages.
    at: String,
    group: hdf5::Group,
}

impl EdgePopulationReader {
    /// The population's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the population has a top-level dataset (or group) `name`.
    pub fn has(&self, name: &str) -> bool {
        self.group.link_exists(name)
    }

    /// The `node_population` attribute of the top-level dataset `ids` (`source_node_id` or
    /// `target_node_id`): `None` when the dataset or the attribute is missing or unreadable.
    pub fn node_population(&self, ids: &str) -> Option<String> {
        let ds = self.group.dataset(ids).ok()?;
        string_attr(&ds, "node_population").ok().flatten()
    }

    fn dataset(&self, name: &str) -> Result<(hdf5::Dataset, String), SonataError> {
        let at = format!("{}/{name}", self.at);
        match self.group.dataset(name) {
            Ok(ds) => Ok((ds, at)),
            Err(e) => Err(SonataError::hdf5(&self.path, at, e)),
        }
    }

    /// The number of values of the top-level dataset `name`.
    pub fn len_of(&self, name: &str) -> Result<u64, SonataError> {
        Ok(self.dataset(name)?.0.size() as u64)
    }

    /// The top-level dataset `name` (`source_node_id`, `edge_type_id`, ...) as `T`: rows
    /// `rows`, or all of them.
    pub fn read<T: H5Type + Clone>(
        &self,
        name: &str,
        rows: Option<Range<u64>>,
    ) -> Result<Vec<T>, SonataError> {
        let (ds, at) = self.dataset(name)?;
        read_rows(&self.path, &ds, &at, rows)
    }

    /// The names of the population's edge groups (its members named by a number that are
    /// groups), sorted as text.
    pub fn group_names(&self) -> Result<Vec<String>, SonataError> {
        let mut names: Vec<String> = self
            .group
            .member_names()
            .map_err(|e| SonataError::hdf5(&self.path, &self.at, e))?
            .into_iter()
            .filter(|n| n.parse::<u64>().is_ok() && self.group.group(n).is_ok())
            .collect();
        names.sort();
        Ok(names)
    }

    /// The names of the datasets of edge group `group` (sub-groups such as
    /// `dynamics_params` left out), sorted.
    pub fn group_columns(&self, group: &str) -> Result<Vec<String>, SonataError> {
        let at = format!("{}/{group}", self.at);
        let g = self
            .group
            .group(group)
            .map_err(|e| SonataError::hdf5(&self.path, &at, e))?;
        dataset_names(&self.path, &at, &g)
    }

    /// Column `name` of edge group `group`, if the group has such a dataset.
    pub fn column(&self, group: &str, name: &str) -> Result<Option<EdgeColumn>, SonataError> {
        let rel = format!("{group}/{name}");
        if !self.group.link_exists(&rel) {
            return Ok(None);
        }
        let (ds, at) = self.dataset(&rel)?;
        Ok(Some(EdgeColumn {
            path: self.path.clone(),
            at,
            ds,
        }))
    }
}

/// One dataset of an edge group.
pub struct EdgeColumn {
    path: PathBuf,
    /// `/edges/<population>/<group>/<name>`, for messages.
    at: String,
    ds: hdf5::Dataset,
}

impl EdgeColumn {
    /// The object's path in the file (`/edges/<population>/<group>/<name>`).
    pub fn at(&self) -> &str {
        &self.at
    }

    /// The number of values.
    pub fn len(&self) -> u64 {
        self.ds.size() as u64
    }

    /// Whether it holds no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The numeric dtype it is stored with (booleans as `u32`), or the stored type's
    /// description when it is not a number.
    pub fn dtype(&self) -> Result<Result<Dtype, String>, SonataError> {
        let t = self
            .ds
            .dtype()
            .and_then(|t| t.to_descriptor())
            .map_err(|e| SonataError::hdf5(&self.path, &self.at, e))?;
        Ok(match t {
            TypeDescriptor::Float(FloatSize::U4) => Ok(Dtype::F32),
            TypeDescriptor::Float(FloatSize::U8) => Ok(Dtype::F64),
            TypeDescriptor::Integer(IntSize::U8) => Ok(Dtype::I64),
            TypeDescriptor::Integer(_) => Ok(Dtype::I32),
            TypeDescriptor::Unsigned(IntSize::U8) => Ok(Dtype::U64),
            TypeDescriptor::Unsigned(_) | TypeDescriptor::Boolean => Ok(Dtype::U32),
            other => Err(other.to_string()),
        })
    }

    /// Its values as `T`: rows `rows`, or all of them.
    pub fn read<T: H5Type + Clone>(&self, rows: Option<Range<u64>>) -> Result<Vec<T>, SonataError> {
        read_rows(&self.path, &self.ds, &self.at, rows)
    }
}

fn read_rows<T: H5Type + Clone>(
    path: &Path,
    ds: &hdf5::Dataset,
    at: &str,
    rows: Option<Range<u64>>,
) -> Result<Vec<T>, SonataError> {
    let r = match rows {
        // The array's own buffer, not a copy: readers stream 10^8 rows in blocks.
        Some(r) => ds
            .read_slice_1d::<T, _>(r.start as usize..r.end as usize)
            .map(|a| {
                let n = a.len();
                match a.into_raw_vec_and_offset() {
                    (v, None | Some(0)) if v.len() == n => v,
                    (v, offset) => {
                        let k = offset.unwrap_or(0);
                        v[k..k + n].to_vec()
                    }
                }
            }),
        None => ds.read_raw::<T>(),
    };
    r.map_err(|e| SonataError::hdf5(path, at, e))
}
