"""Advocates: friendly opinion leaders, briefed on a case with approved facts (issue 21 §8)."""
