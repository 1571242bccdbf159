"""The AI tutor: chunks of published materials, a hybrid (FAISS + BM25) index in snapshots, retrieval limited to
what the asking student may see, and answers that cite the school's own materials."""
