//! Tables of references, stored as cells (0 is null; see `core::value`).

use super::store::Store;
use crate::core::limits::MAX_TABLE_ELEMS;
use crate::core::{Error, TableType, Val};

pub(crate) struct TableEntity {
    pub ty: TableType,
    pub elems: Vec<u64>,
}

impl TableEntity {
    pub fn max(&self) -> u64 {
        self.ty.limits.max.unwrap_or(u32::MAX as u64).min(MAX_TABLE_ELEMS)
    }

    /// Grows by `delta` elements set to `init`; returns the old size or `None`.
    pub fn grow(&mut self, delta: u64, init: u64) -> Option<u64> {
        let old = self.elems.len() as u64;
        let new = old.checked_add(delta)?;
        if new > self.max() {
            return None;
        }
        self.elems.resize(new as usize, init);
        Some(old)
    }
}

/// Handle to a table in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Table {
    pub(crate) store: u32,
    pub(crate) index: u32,
}

impl Table {
    /// Creates a stand-alone table with every element set to `init`.
    pub fn new(store: &mut Store, ty: TableType, init: Val) -> Result<Table, Error> {
        let cell = store.ref_cell(ty, &init)?;
        if ty.limits.min > MAX_TABLE_ELEMS {
            return Err(Error::resource("table is larger than the engine allows"));
        }
        Ok(store.push_table(TableEntity {
            ty,
            elems: vec![cell; ty.limits.min as usize],
        }))
    }

    fn entity<'s>(&self, store: &'s Store) -> Result<&'s TableEntity, Error> {
        store.owns(self.store)?;
        Ok(&store.tables[self.index as usize])
    }

    pub fn ty(&self, store: &Store) -> Result<TableType, Error> {
        let t = self.entity(store)?;
        let mut ty = t.ty;
        ty.limits.min = t.elems.len() as u64;
        Ok(ty)
    }

    pub fn size(&self, store: &Store) -> Result<u64, Error> {
        Ok(self.entity(store)?.elems.len() as u64)
    }

    /// The element at `index`, or `None` when out of bounds.
    pub fn get(&self, store: &Store, index: u64) -> Result<Option<Val>, Error> {
        let t = self.entity(store)?;
        Ok(t.elems
            .get(index as usize)
            .map(|&c| Val::from_cell(t.ty.element.into(), c, store.id)))
    }

    /// Sets the element at `index`; an error when out of bounds or mistyped.
    pub fn set(&self, store: &mut Store, index: u64, val: Val) -> Result<(), Error> {
        let ty = self.entity(store)?.ty;
        let cell = store.ref_cell(ty, &val)?;
        let t = &mut store.tables[self.index as usize];
        match t.elems.get_mut(index as usize) {
            Some(slot) => {
                *slot = cell;
                Ok(())
            }
            None => Err(Error::usage("table index out of bounds")),
        }
    }

    /// Grows by `delta` elements set to `init`; `Ok(None)` past the maximum.
    pub fn grow(&self, store: &mut Store, delta: u64, init: Val) -> Result<Option<u64>, Error> {
        let ty = self.entity(store)?.ty;
        let cell = store.ref_cell(ty, &init)?;
        Ok(store.tables[self.index as usize].grow(delta, cell))
    }

    pub fn index(&self) -> u32 {
        self.index
    }
}

impl Store {
    pub(crate) fn push_table(&mut self, t: TableEntity) -> Table {
        self.tables.push(t);
        Table {
            store: self.id,
            index: (self.tables.len() - 1) as u32,
        }
    }

    /// Encodes a reference for a table of type `ty`, checking kind and store.
    fn ref_cell(&self, ty: TableType, val: &Val) -> Result<u64, Error> {
        if val.ty() != ty.element.into() {
            return Err(Error::usage(format!(
                "a {} value cannot be stored in a table of {}",
                val.ty(),
                crate::core::ValType::from(ty.element)
            )));
        }
        self.check_val(val)?;
        Ok(val.to_cell())
    }
}
