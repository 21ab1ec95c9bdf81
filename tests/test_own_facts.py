"""Your own facts for the language model: `render.py train lm --facts FILE`, as a user meets it.

The default model's numbers are pinned by goldens elsewhere; the model trained on a facts file is
checked by invariants: what Chapters 5 and 8 draw about the file's fact equals a second forward
pass in plain numpy (``tests/numpy_gpt.py``) on that model's own weights. Bad files are refused
with a message naming the problem and exit status 1, the cache exactly as it was.

One model is trained per session on a small facts file (a few minutes), in a cache that held the
default model before (a user's, after rendering the chapters); switching back takes that one back.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from models.artifacts import cache_dir
from models.corpus import ATHLETES, CorpusConfig, generate_corpus
from models.lm_choice import CHOICE_FILE, FactsError, read_facts
from tests.numpy_gpt import numpy_trace
from tests.test_own_model import _load, run, snapshot

ROOT = Path(__file__).resolve().parent.parent
FACTS_TOML = """\
# Facts of one's own: two people of a sport the corpus does not have, and a word pair
facts = ["ada lovelace plays chess", "alan turing plays chess"]
pairs = [["actor", "actress"]]
"""


# ----------------------------------------------------------------------------- the file

@pytest.mark.parametrize("name,text,problem", [
    ("empty.toml", "", "holds no facts and no pairs"),
    ("broken.toml", "facts = [\"ada lovelace plays chess\"\n", "is not valid TOML"),
    ("broken.json", "{\"facts\": [\"ada lovelace plays chess\"]", "is not valid JSON"),
    ("capital.toml", "facts = [\"Ada lovelace plays chess\"]", r"the word 'Ada' cannot be a token"),
    ("digit.toml", "facts = [\"ada lovelace plays chess2\"]", r"the word 'chess2' cannot be a token"),
    ("dot.toml", "facts = [\"ada lovelace plays chess.\"]", r"the word 'chess\.' cannot be a token"),
    ("shape.toml", "facts = [\"ada lovelace chess\"]", r"write a fact as \"FIRST LAST plays SPORT\""),
    ("verb.toml", "facts = [\"ada lovelace likes chess\"]", r"write a fact as \"FIRST LAST plays SPORT\""),
    ("key.toml", "fact = [\"ada lovelace plays chess\"]", "unknown key 'fact'"),
    ("clash.toml", "facts = [\"michael jordan plays chess\"]", "michael jordan already plays basketball"),
    ("twice.toml", "facts = [\"ada lovelace plays chess\", \"ada lovelace plays chess\"]", "is in the file twice"),
    ("many.toml", "facts = [" + ", ".join(f'"ada {w} plays chess"' for w in "abcdefghi") + "]", "at most 8 facts"),
    ("pair.toml", "pairs = [[\"king\", \"empress\"]]", "already pairs king"),
    ("pairshape.toml", "pairs = [[\"actor\"]]", "a pair is two words"),
    ("long.toml", "facts = [\"ada lovelaceeeeeeeeeeee plays chess\"]", "longer than 16 letters"),
    ("list.json", "[\"ada lovelace plays chess\"]", "expected a table"),
])
def test_a_bad_facts_file_names_the_problem(tmp_path, name, text, problem):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(FactsError, match=problem):
        read_facts(path)


def test_a_file_that_is_not_text_or_not_there(tmp_path):
    (tmp_path / "bytes.toml").write_bytes(b"\xff\xfe\x00facts")
    with pytest.raises(FactsError, match="is not a text file"):
        read_facts(tmp_path / "bytes.toml")
    with pytest.raises(FactsError, match="no such file"):
        read_facts(tmp_path / "nowhere.toml")


def test_toml_and_json_say_the_same(tmp_path):
    (tmp_path / "f.toml").write_text(FACTS_TOML)
    (tmp_path / "f.json").write_text(json.dumps({"facts": ["ada lovelace plays chess", "alan turing plays chess"],
                                                 "pairs": [["actor", "actress"]]}))
    a, b = read_facts(tmp_path / "f.toml"), read_facts(tmp_path / "f.json")
    assert a["facts"] == b["facts"] == [["ada", "lovelace", "chess"], ["alan", "turing", "chess"]]
    assert a["pairs"] == b["pairs"] == [["actor", "actress"]]
    assert a["sha256"] != b["sha256"] and a["file"].endswith("f.toml")


def test_the_corpus_states_the_files_facts_as_its_own():
    """Each fact in every phrasing the corpus's athletes have, as often; each pair in the "adult"
    sentences and one of its own, both words; the corpus alone is what it was."""
    own = generate_corpus(CorpusConfig(facts=(("ada", "lovelace", "chess"),), pairs=(("actor", "actress"),)))
    alone = generate_corpus(CorpusConfig())
    facts = [s for s, f in zip(own.sentences, own.families) if f == "facts" and "lovelace" in s]
    assert len(facts) == CorpusConfig().fact_repeats
    assert {s.replace("ada lovelace plays chess", "X") for s in facts} == {
        s.replace("michael jordan plays basketball", "X") for s, f in zip(alone.sentences, alone.families)
        if "michael jordan" in s}
    assert "the actress went to work and she came home late ." in own.sentences
    assert "the actor waved to his neighbours ." in own.sentences
    assert sorted(set(alone.sentences)) == sorted({s for s in own.sentences if not re.search(r"lovelace|actor|actress", s)})
    assert own.stats["sentences"] == alone.stats["sentences"] + 40 + 4 * 60 * 2
    assert len(ATHLETES) == 24 and "facts" not in alone.config  # the corpus alone keeps its config (and key)


def test_a_bad_file_changes_nothing(tmp_path):
    cache = tmp_path / "cache"
    (cache / "lm").mkdir(parents=True)
    (cache / "lm" / "manifest.json").write_text("{\"name\": \"lm\", \"key\": \"earlier\"}")
    (cache / CHOICE_FILE).write_text("{\"earlier\": true}")
    before = snapshot(cache)
    bad = tmp_path / "bad.toml"
    bad.write_text("facts = [\"Ada Lovelace plays chess\"]\n")
    proc = run("train", "lm", "--facts", str(bad), cache=cache)
    assert proc.returncode == 1, proc.stderr
    assert f"cannot learn from {bad}" in proc.stderr and "the word 'Ada' cannot be a token" in proc.stderr
    assert "Nothing was changed" in proc.stderr and "Traceback" not in proc.stderr
    assert snapshot(cache) == before


def test_facts_are_for_the_language_model(tmp_path):
    (tmp_path / "f.toml").write_text(FACTS_TOML)
    proc = run("train", "digits", "--facts", str(tmp_path / "f.toml"), cache=tmp_path / "cache")
    assert proc.returncode == 2 and "--facts is for the language model" in proc.stderr


# ----------------------------------------------------------------------------- a model trained on the file


@pytest.fixture(scope="session")
def own_facts(tmp_path_factory, lang, facts, sup):
    """The language model trained on ``FACTS_TOML``, in a cache that held the default one."""
    folder = tmp_path_factory.mktemp("own-facts")
    cache = folder / "cache"
    for name in ("lm", "lm-story", "lm-facts", "superposition"):
        shutil.copytree(cache_dir() / name, cache / name)
    path = folder / "my-facts.toml"
    path.write_text(FACTS_TOML)
    proc = run("train", "lm", "--facts", str(path), cache=cache)
    assert proc.returncode == 0, proc.stderr
    return {"cache": cache, "path": path, "stdout": proc.stdout, "stderr": proc.stderr}


def test_training_says_what_it_learned(own_facts):
    out = own_facts["stdout"]
    assert f"switching the language model to the corpus and {own_facts['path'].resolve()}" in out
    lines = {m.group(1): m.group(2) for m in re.finditer(r'fact "([a-z ]+)": (.*)', out)}
    assert set(lines) == {"ada lovelace plays chess", "alan turing plays chess"}
    story = _load(own_facts["cache"], "lm-story")
    for fact, said in lines.items():
        got = story.metrics["facts_file"]["facts"][fact]
        assert said.startswith("learned" if got["answer"] == "chess" else f"NOT learned: it says \"{got['answer']}\"")
    assert re.search(r"pair actor - man \+ woman: (= actress|NOT learned: lands on '[a-z]+')", out)
    assert "superposition" in out  # the other stage of `lm`, reused


def test_the_artifacts_record_the_file(own_facts):
    lm = _load(own_facts["cache"], "lm")
    sha = __import__("hashlib").sha256(own_facts["path"].read_bytes()).hexdigest()
    assert lm.manifest["facts_file"] == f"{own_facts['path'].resolve()}, sha256 {sha}"
    assert lm.config["corpus"]["facts"] == [["ada", "lovelace", "chess"], ["alan", "turing", "chess"]]
    sentences = [str(s) for s in lm.arrays("corpus.npz")["sentences"]]
    assert sum("ada lovelace plays chess" in s for s in sentences) == 40
    listing = run("list", cache=own_facts["cache"]).stdout
    assert f"2 facts and 1 word pair from {own_facts['path'].resolve()}" in listing
    assert "lm-facts       ok" in listing


def test_chapter5_asks_the_files_fact(own_facts):
    """Chapter 5's second prompt is the file's first fact; its distribution is the model's own
    (a numpy forward pass on the trained weights agrees)."""
    story = _load(own_facts["cache"], "lm-story", "language.npz")
    weights = _load(own_facts["cache"], "lm", "weights.npz")
    assert str(story["prompts"][1]) == "ada lovelace plays"
    vocab = [str(v) for v in weights["vocab"]]
    probs = numpy_trace(weights, [vocab.index(w) for w in "ada lovelace plays".split()])["probs"]
    np.testing.assert_allclose(story["prompt_probs"][1], probs, atol=1e-5)
    assert [str(w) for w in story["analogies"][-1]] == ["actor", "man", "woman", "actress"]


def test_chapter8_follows_the_files_fact_or_says_why_not(own_facts):
    f = _load(own_facts["cache"], "lm-facts", "facts.npz")
    weights = _load(own_facts["cache"], "lm", "weights.npz")
    vocab = [str(v) for v in weights["vocab"]]

    def top(prompt: str) -> str:
        return vocab[int(np.argmax(numpy_trace(weights, [vocab.index(w) for w in prompt.split()])["probs"]))]

    learned = [p for p in ("ada lovelace plays", "alan turing plays") if top(p) == "chess"]
    prompt = " ".join(str(w) for w in f["prompt"])
    if learned:
        assert prompt == learned[0] and str(f["answer"]) == "chess" and str(f["note"]) == ""
    else:
        assert prompt == "michael jordan plays" and f"says \"{top('ada lovelace plays')}\"" in str(f["note"])
    probs = numpy_trace(weights, [vocab.index(w) for w in prompt.split()])["probs"]
    assert float(f["answer_prob"]) == pytest.approx(float(probs[vocab.index(str(f["answer"]))]), abs=1e-5)
    assert len(f["athletes"]) == 26 and "ada lovelace" in [str(a) for a in f["athletes"]]


def _scene_text(cache: Path, module: str, scene: str) -> str:
    """The captions and on-screen text of one scene built against ``cache`` (in its own process: the
    scenes read their artifacts once per process)."""
    code = (f"import json; from tests.scene_runs import run_scene; from scenes.{module} import {scene} as S; "
            "r = run_scene(S); "
            "print(json.dumps([t for _, t in r.scene.narration]))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env={**__import__("os").environ, "NN_EXPLAINER_CACHE": str(cache)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return " ".join(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_chapters_5_and_8_show_the_fact(own_facts):
    said5 = _scene_text(own_facts["cache"], "chapter5", "NextWordPrediction")
    assert "ada lovelace plays" in said5
    f = _load(own_facts["cache"], "lm-facts", "facts.npz")
    said8 = _scene_text(own_facts["cache"], "chapter8", "MichaelJordanPlays")
    assert " ".join(str(w) for w in f["prompt"]) in said8
    if str(f["note"]):
        assert "not learned" in said8


def test_train_lm_switches_back_without_training(own_facts, tmp_path, lang):
    cache = tmp_path / "cache"
    shutil.copytree(own_facts["cache"], cache)
    proc = run("train", "lm", cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert "switching the language model to the corpus alone" in proc.stdout
    assert "reusing lm: built before for this choice" in proc.stderr and "step 1/" not in proc.stderr
    assert not (cache / CHOICE_FILE).exists()
    assert snapshot(cache / "lm") == snapshot(cache_dir() / "lm")
    assert "learned from: the generated corpus\n" in run("list", cache=cache).stdout


def test_a_fact_not_learned_is_said_not_followed(lang):
    """When the model learned none of the file's facts, Chapter 8 follows the corpus's own fact and
    its note says what the model answers instead (the model's top word, by a numpy forward pass)."""
    from models.lm_story import DEFAULT_FACT, featured_fact
    from models.pipeline import ensure
    from models.tiny_gpt import load_lm

    weights = ensure("lm").arrays("weights.npz")
    model, vocab = load_lm(weights)
    words = [str(v) for v in weights["vocab"]]
    # A "fact" the corpus never states, in words the model knows: it cannot have learned it
    unknown = CorpusConfig(facts=(("serena", "jordan", "golf"),))
    probs = numpy_trace(weights, [words.index(w) for w in "serena jordan plays".split()])["probs"]
    said = words[int(np.argmax(probs))]
    assert said != "golf"
    prompt, answer, note = featured_fact(model, vocab, unknown)
    assert (prompt, answer) == DEFAULT_FACT
    assert f"after \"serena jordan plays\" the model says \"{said}\" ({float(probs.max()):.0%}), not \"golf\"" in note
    # A learned one is followed, with no note
    assert featured_fact(model, vocab, CorpusConfig(facts=(("serena", "williams", "tennis"),))) == (
        "serena williams plays", "tennis", "")
