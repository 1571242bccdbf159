"""Organisation: province → district or commune → school → grade → class; academic years and terms."""
