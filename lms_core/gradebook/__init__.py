"""The gradebook: Vietnamese assessment rules (Thông tư 22/2021 and 27/2020) and the sổ điểm workbook."""
