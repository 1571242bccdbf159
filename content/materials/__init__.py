"""Digital materials (học liệu số): metadata, immutable versions, stored files, extracted sections."""
