//! Globals. An imported global is the exporter's global itself, so a
//! mutable global is shared between instances.

use super::store::{GlobalEntity, Store};
use crate::core::{Error, GlobalType, Mutability, Val};

/// Handle to a global in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Global {
    pub(crate) store: u32,
    pub(crate) index: u32,
}

impl Global {
    /// Creates a stand-alone global; the value must have the content type.
    pub fn new(store: &mut Store, ty: GlobalType, val: Val) -> Result<Global, Error> {
        if val.ty() != ty.content {
            return Err(Error::usage(format!(
                "global of type {} initialised with a value of type {}",
                ty.content,
                val.ty()
            )));
        }
        store.check_val(&val)?;
        Ok(store.push_global(GlobalEntity {
            ty,
            value: val.to_cell(),
        }))
    }

    pub fn ty(&self, store: &Store) -> Result<GlobalType, Error> {
        store.owns(self.store)?;
        Ok(store.globals[self.index as usize].ty)
    }

    pub fn get(&self, store: &Store) -> Result<Val, Error> {
        store.owns(self.store)?;
        let g = &store.globals[self.index as usize];
        Ok(Val::from_cell(g.ty.content, g.value, store.id))
    }

    /// Sets a mutable global; fails on an immutable one or a wrong type.
    pub fn set(&self, store: &mut Store, val: Val) -> Result<(), Error> {
        store.owns(self.store)?;
        store.check_val(&val)?;
        let g = &mut store.globals[self.index as usize];
        if g.ty.mutability != Mutability::Var {
            return Err(Error::usage("cannot set an immutable global"));
        }
        if val.ty() != g.ty.content {
            return Err(Error::usage(format!(
                "global of type {} set to a value of type {}",
                g.ty.content,
                val.ty()
            )));
        }
        g.value = val.to_cell();
        Ok(())
    }

    pub fn index(&self) -> u32 {
        self.index
    }
}

impl Store {
    pub(crate) fn push_global(&mut self, g: GlobalEntity) -> Global {
        self.globals.push(g);
        Global {
            store: self.id,
            index: (self.globals.len() - 1) as u32,
        }
    }

    /// A reference value must point into this store.
    pub(crate) fn check_val(&self, val: &Val) -> Result<(), Error> {
        if let Val::FuncRef(Some(f)) = val {
            self.owns(f.store)?;
        }
        Ok(())
    }
}
