//! Thin helpers over the `hdf5` crate: file and group creation, attributes, dataset creation
//! with the storage rules of this crate, and a positioned block write over raw `H5Dwrite`
//! (so that a collective transfer property list can be used in multi-process writes).

use std::path::Path;

use hdf5::types::VarLenUnicode;
use hdf5::{Dataset, Datatype, File, Group, H5Type, Location};
use hdf5_sys::h5i::hid_t;

use crate::column::{ColumnSlice, ColumnType, Compression, Dtype, NumSlice, Provenance};
use crate::error::SonataError;
use netbuild_types::each_num;

/// Target size of one chunk of a compressed dataset, in bytes.
const CHUNK_BYTES: usize = 1 << 20;
/// Per-dataset chunk cache of compressed datasets: several chunks, so the partial chunk at the
/// end of one append stays cached until the next append completes it (no read-back).
const CHUNK_CACHE_BYTES: usize = 8 << 20;
const CHUNK_CACHE_SLOTS: usize = 521;

/// SONATA's magic number, root attribute `magic`.
pub const SONATA_MAGIC: u32 = 0x0A7A;
/// SONATA format version, root attribute `version`.
pub const SONATA_VERSION: [u32; 2] = [0, 1];

pub(crate) fn create_file(
    path: &Path,
    fapl: Option<&hdf5::plist::FileAccess>,
) -> Result<File, SonataError> {
    let mut builder = File::with_options();
    if let Some(fapl) = fapl {
        builder
            .set_fapl(fapl)
            .map_err(|e| SonataError::hdf5(path, "/", e))?;
    }
    builder
        .create(path)
        .map_err(|e| SonataError::hdf5(path, "/", e))
}

/// Closes the file (every object of it must have been dropped), reporting errors.
pub(crate) fn close_file(path: &Path, file: File) -> Result<(), SonataError> {
    file.close().map_err(|e| SonataError::hdf5(path, "/", e))
}

pub(crate) fn create_group(
    file: &Path,
    parent: &Group,
    name: &str,
    full: &str,
) -> Result<Group, SonataError> {
    check_name(file, full, name)?;
    parent
        .create_group(name)
        .map_err(|e| SonataError::hdf5(file, full, e))
}

/// HDF5 link names may not be empty, contain `/`, or be `.`.
pub(crate) fn check_name(file: &Path, full: &str, name: &str) -> Result<(), SonataError> {
    if name.is_empty() || name.contains('/') || name == "." || name.contains('\0') {
        return Err(SonataError::invalid(
            file,
            full,
            format!("invalid HDF5 name {name:?} (empty, '.', or containing '/' or NUL)"),
        ));
    }
    Ok(())
}

pub(crate) fn to_vlu(file: &Path, object: &str, s: &str) -> Result<VarLenUnicode, SonataError> {
    s.parse::<VarLenUnicode>().map_err(|_| {
        SonataError::invalid(file, object, format!("string {s:?} contains a NUL byte"))
    })
}

/// Writes a scalar variable-length UTF-8 string attribute (what h5py writes for a `str`).
pub(crate) fn string_attr(
    file: &Path,
    loc: &Location,
    object: &str,
    name: &str,
    value: &str,
) -> Result<(), SonataError> {
    let full = format!("{object}@{name}");
    let v = to_vlu(file, &full, value)?;
    let attr = loc
        .new_attr::<VarLenUnicode>()
        .create(name)
        .map_err(|e| SonataError::hdf5(file, &full, e))?;
    attr.write_scalar(&v)
        .map_err(|e| SonataError::hdf5(file, &full, e))
}

/// Root attributes of every SONATA file: `magic`, `version` and the provenance strings.
pub(crate) fn write_root_attrs(
    file: &Path,
    h5: &File,
    prov: &Provenance,
) -> Result<(), SonataError> {
    let magic = h5
        .new_attr::<u32>()
        .create("magic")
        .map_err(|e| SonataError::hdf5(file, "/@magic", e))?;
    magic
        .write_scalar(&SONATA_MAGIC)
        .map_err(|e| SonataError::hdf5(file, "/@magic", e))?;
    let version = h5
        .new_attr::<u32>()
        .shape([2])
        .create("version")
        .map_err(|e| SonataError::hdf5(file, "/@version", e))?;
    version
        .write_raw(&SONATA_VERSION[..])
        .map_err(|e| SonataError::hdf5(file, "/@version", e))?;
    for (k, v) in &prov.attrs {
        if k == "magic" || k == "version" {
            return Err(SonataError::invalid(
                file,
                format!("/@{k}"),
                "provenance may not override the SONATA attribute",
            ));
        }
        check_name(file, &format!("/@{k}"), k)?;
        string_attr(file, h5, "/", k, v)?;
    }
    Ok(())
}

/// How a dataset is laid out on disk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    /// Rows at creation.
    pub rows: u64,
    /// Values per row: 1 for a column, 2 for an index dataset (`[rows, 2]`).
    pub width: u64,
    /// Whether rows can be added later (then the dataset is chunked, unlimited in rows).
    pub resizable: bool,
}

/// Creates a dataset of `dtype`.
///
/// Storage: without compression a fixed-size dataset is contiguous (one `pwrite` per block,
/// no chunk index, no chunk cache copy, and no fill values written since every row is written
/// once); with gzip it is chunked (about 1 MiB per chunk, never larger than the dataset) with
/// the shuffle (numeric dtypes) and deflate filters; a 0-row fixed dataset is always contiguous
/// (a chunk may not exceed the shape). A resizable dataset is chunked, with the filter when compression is asked for.
/// Rows per chunk of a chunked dataset of `width` values of `dtype` per row (before clamping to
/// the dataset's rows).
/// Rows that every chunked 1-D dataset's chunks divide evenly: those of the narrowest dtype (4
/// bytes). A writer whose pieces start and end at multiples of it never writes part of a chunk
/// (but at the ends of its rows), so a compressed chunk is never read back and rewritten.
pub const CHUNK_ALIGN_ROWS: u64 = (CHUNK_BYTES / 4) as u64;

pub(crate) fn chunk_rows_for(dtype: impl Into<ColumnType>, width: usize) -> usize {
    let row_bytes = (dtype.into().size() * width).max(1);
    (CHUNK_BYTES / row_bytes).max(1)
}

/// Writes the chunks of `stream` that are due, in index order (all of them, once it is finished)
/// into `ds`, whose rows are `width` values wide (1 for a column, 2 for an index).
/// `before` runs first when there is any chunk to write (to grow a resizable dataset).
pub(crate) fn write_compressed(
    file: &Path,
    ds: &Dataset,
    full: &str,
    stream: &mut crate::deflate::ChunkStream,
    width: u64,
    before: impl FnOnce() -> Result<(), SonataError>,
) -> Result<(), SonataError> {
    let chunks = stream
        .compressed()
        .ok_or_else(|| SonataError::invalid(file, full, "libdeflate could not compress a chunk"))?;
    if chunks.is_empty() {
        return Ok(());
    }
    before()?;
    // The stream counts values; a chunk holds chunk_rows / width rows.
    let rows = stream.chunk_rows / width;
    for c in chunks {
        let mut at = vec![0u64; if width == 1 { 1 } else { 2 }];
        at[0] = c.index * rows;
        write_chunk(file, ds, full, &at, &c.bytes)?;
    }
    Ok(())
}

/// Writes one already-compressed chunk of a dataset, the one that starts at `offset` (one
/// coordinate per dimension of the dataset).
pub(crate) fn write_chunk(
    file: &Path,
    ds: &Dataset,
    full: &str,
    offset: &[u64],
    bytes: &[u8],
) -> Result<(), SonataError> {
    if offset.len() != ds.ndim() {
        return Err(SonataError::invalid(
            file,
            full,
            format!(
                "a chunk offset of rank {} for rank {}",
                offset.len(),
                ds.ndim()
            ),
        ));
    }
    // SAFETY: `ds` is an open dataset, `offset` has its rank (checked), `bytes` outlives the
    // call.
    let r = unsafe {
        hdf5_sys::h5d::H5Dwrite_chunk(
            ds.id(),
            hdf5_sys::h5p::H5P_DEFAULT,
            0,
            offset.as_ptr(),
            bytes.len(),
            bytes.as_ptr().cast(),
        )
    };
    if r < 0 {
        return Err(SonataError::invalid(
            file,
            full,
            format!("H5Dwrite_chunk failed at {offset:?}"),
        ));
    }
    Ok(())
}

pub(crate) fn create_dataset(
    file: &Path,
    group: &Group,
    full: &str,
    name: &str,
    dtype: impl Into<ColumnType>,
    shape: Shape,
    compression: Compression,
) -> Result<Dataset, SonataError> {
    check_name(file, full, name)?;
    let dtype = dtype.into();
    let dt = match dtype {
        ColumnType::Num(Dtype::F32) => Datatype::from_type::<f32>(),
        ColumnType::Num(Dtype::F64) => Datatype::from_type::<f64>(),
        ColumnType::Num(Dtype::I32) => Datatype::from_type::<i32>(),
        ColumnType::Num(Dtype::I64) => Datatype::from_type::<i64>(),
        ColumnType::Num(Dtype::U32) => Datatype::from_type::<u32>(),
        ColumnType::Num(Dtype::U64) => Datatype::from_type::<u64>(),
        ColumnType::Str => Datatype::from_type::<VarLenUnicode>(),
    }
    .map_err(|e| SonataError::hdf5(file, full, e))?;

    let rows = usize::try_from(shape.rows)
        .map_err(|_| SonataError::invalid(file, full, "row count does not fit in usize"))?;
    let width = shape.width as usize;
    let chunk_rows_target = chunk_rows_for(dtype, width);

    let builder = group.new_dataset_builder().empty_as(&dt);
    let builder = if width == 1 {
        if shape.resizable {
            builder.shape(rows..)
        } else {
            builder.shape([rows])
        }
    } else if shape.resizable {
        builder.shape(hdf5::SimpleExtents::new([
            hdf5::Extent::resizable(rows),
            hdf5::Extent::fixed(width),
        ]))
    } else {
        builder.shape([rows, width])
    };
    let builder = builder.obj_track_times(false);

    let chunk_rows = if shape.resizable {
        Some(chunk_rows_target)
    } else if matches!(compression, Compression::Gzip(_)) && rows > 0 {
        Some(chunk_rows_target.min(rows))
    } else {
        None
    };
    let builder = match chunk_rows {
        None => {
            let b = builder.no_chunk();
            if dtype == ColumnType::Str {
                b
            } else {
                b.fill_time(hdf5::dataset::FillTime::Never)
            }
        }
        Some(c) => {
            let b = if width == 1 {
                builder.chunk([c])
            } else {
                builder.chunk([c, width])
            };
            let b = match compression {
                // Shuffle first: HDF5 applies the filters in the order they were added.
                Compression::Gzip(level) if shuffled(dtype) => b.shuffle().deflate(level.min(9)),
                Compression::Gzip(level) => b.deflate(level.min(9)),
                Compression::None => b,
            };
            b.chunk_cache(CHUNK_CACHE_SLOTS, CHUNK_CACHE_BYTES, 1.0)
        }
    };
    builder
        .create(name)
        .map_err(|e| SonataError::hdf5(file, full, e))
}

/// Whether a gzip dataset of `dtype` gets HDF5's shuffle filter before deflate: numbers (all of
/// them are 4 or 8 bytes wide), not strings (variable-length: HDF5 stores pointers).
fn shuffled(dtype: ColumnType) -> bool {
    matches!(dtype, ColumnType::Num(_))
}

/// How block writes reach the file: the transfer property list, and whether it is collective
/// (then a writer with no rows still takes part, with empty selections, as MPI-IO needs).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Io {
    pub xfer: hid_t,
    pub collective: bool,
}

impl Io {
    pub(crate) const INDEPENDENT: Io = Io {
        xfer: hdf5_sys::h5p::H5P_DEFAULT,
        collective: false,
    };
}

/// RAII close of a raw dataspace id.
struct Space(hid_t);

impl Drop for Space {
    fn drop(&mut self) {
        if self.0 >= 0 {
            // SAFETY: the id was returned by HDF5 and is closed once.
            unsafe {
                hdf5_sys::h5s::H5Sclose(self.0);
            }
        }
    }
}

/// Writes `data` (row-major, `width` values per row) at row `offset` of a dataset.
///
pub(crate) fn write_rows<T: H5Type>(
    file: &Path,
    ds: &Dataset,
    full: &str,
    offset: u64,
    width: u64,
    data: &[T],
    io: Io,
) -> Result<(), SonataError> {
    use hdf5_sys::h5d::{H5Dget_space, H5Dwrite};
    use hdf5_sys::h5s::{H5S_seloper_t, H5Screate_simple, H5Sselect_hyperslab, H5Sselect_none};

    let n = data.len() as u64;
    if n % width != 0 {
        return Err(SonataError::invalid(
            file,
            full,
            format!("{n} values is not a whole number of rows of {width}"),
        ));
    }
    let rows = n / width;
    // An empty dataset has no storage to select in, not even an empty selection (MPI-IO
    // reports an address overflow); every process sees the same size, so all skip together.
    if rows == 0 && (!io.collective || ds.size() == 0) {
        return Ok(());
    }
    let mem_type = Datatype::from_type::<T>().map_err(|e| SonataError::hdf5(file, full, e))?;
    let err = |e| SonataError::hdf5(file, full, e);
    hdf5::sync::sync(|| {
        // SAFETY: plain HDF5 C calls on valid ids; `data` outlives the H5Dwrite call and holds
        // exactly `rows * width` elements of the memory type `T`.
        unsafe {
            let fspace = Space(hdf5::h5check(H5Dget_space(ds.id())).map_err(err)?);
            let mdims: [u64; 2] = [rows.max(1), width];
            let rank = if width == 1 { 1 } else { 2 };
            let mspace = Space(
                hdf5::h5check(H5Screate_simple(rank, mdims.as_ptr(), std::ptr::null()))
                    .map_err(err)?,
            );
            if rows == 0 {
                hdf5::h5check(H5Sselect_none(fspace.0)).map_err(err)?;
                hdf5::h5check(H5Sselect_none(mspace.0)).map_err(err)?;
            } else {
                let start: [u64; 2] = [offset, 0];
                let count: [u64; 2] = [rows, width];
                hdf5::h5check(H5Sselect_hyperslab(
                    fspace.0,
                    H5S_seloper_t::H5S_SELECT_SET,
                    start.as_ptr(),
                    std::ptr::null(),
                    count.as_ptr(),
                    std::ptr::null(),
                ))
                .map_err(err)?;
            }
            hdf5::h5check(H5Dwrite(
                ds.id(),
                mem_type.id(),
                mspace.0,
                fspace.0,
                io.xfer,
                data.as_ptr().cast(),
            ))
            .map_err(err)?;
        }
        Ok(())
    })
}

/// Writes one column slice (any dtype, row by row: `width` values per row) at row `offset` of
/// a dataset of that width (1: a 1-D dataset).
pub(crate) fn write_column(
    file: &Path,
    ds: &Dataset,
    full: &str,
    offset: u64,
    col: ColumnSlice<'_>,
    width: u64,
    io: Io,
) -> Result<(), SonataError> {
    match col {
        ColumnSlice::Num(n) => {
            each_num!(NumSlice, n, v => write_rows(file, ds, full, offset, width, v, io))
        }
        ColumnSlice::Str(v) => {
            let conv = v
                .iter()
                .map(|s| to_vlu(file, full, s))
                .collect::<Result<Vec<_>, _>>()?;
            write_rows(file, ds, full, offset, width, &conv, io)
        }
    }
}
