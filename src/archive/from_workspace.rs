//! From a strategi workspace to an archive [`super::Package`].
