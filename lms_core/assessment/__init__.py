"""Assessment: the question bank, imports and exports, quizzes and the exam builder (ma trận đề)."""
