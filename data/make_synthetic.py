"""Regenerate every SYNTHETIC CSV in data/ from the fixed seeds in inhd.synth (PB_SEED, NH_SEED).

    python data/make_synthetic.py        # same as: python -m inhd.synth
"""

from inhd.synth import write_synthetic_data

if __name__ == "__main__":
    for path in write_synthetic_data():
        print(path)
