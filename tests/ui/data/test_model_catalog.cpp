// ModelCatalog over a temporary tree shaped like the usual model folders (real GGUF files,
// projectors written here, broken files), mmproj pairing, the list model and the demo model.
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <cstdint>

#include "data/app_paths.hpp"
#include "data/mmproj_pairing.hpp"
#include "data/model_catalog.hpp"
#include "data/model_folders.hpp"
#include "data/model_inspector.hpp"
#include "data/model_list_model.hpp"
#include "support/gguf_builder.hpp"
#include "ui/data/test_suites.hpp"

using prism::TensorType;
using prism::test::GgufBuilder;
using prism::ui::ModelInfo;

namespace {

const QString kModels = QStringLiteral(PRISM_TEST_DATA_DIR "/models/");
const QString kStories = QStringLiteral(PRISM_RESOURCES_DIR "/models/stories260K.gguf");

// A small projector whose output is `width` wide. Without `state_width` the width is only in
// the projector's output tensor (older converters).
void write_mmproj(const QString& path, std::uint32_t width, std::uint32_t file_type,
                  bool state_width = true, bool audio = false) {
    GgufBuilder b;
    b.set("general.architecture", "clip")
        .set("general.type", "mmproj")
        .set<std::uint32_t>("general.file_type", file_type)
        .set("clip.projector_type", "idefics3")
        .set<bool>("clip.has_vision_encoder", true)
        .set<bool>("clip.has_audio_encoder", audio);
    if (state_width) b.set<std::uint32_t>("clip.vision.projection_dim", width);
    b.tensor("v.patch_embd.weight", TensorType::F16, {4, 4, 3, 8})
        .tensor("mm.model.fc.weight", TensorType::F16, {32, width});
    b.write(path.toStdString());
}

bool copy(const QString& from, const QString& to) {
    QDir().mkpath(QFileInfo(to).path());
    return QFile::copy(from, to);
}

bool write_bytes(const QString& path, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

const ModelInfo* find(const std::vector<ModelInfo>& models, const QString& file_name) {
    for (const ModelInfo& m : models)
        if (m.file_name == file_name) return &m;
    return nullptr;
}

}  // namespace

class ModelCatalogTest : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QStringList folders_;

    QString at(const QString& relative) const { return tmp_.filePath(relative); }

  private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        // The app's folder: real models, a truncated file, a hostile header, a text file.
        QVERIFY(copy(kStories, at("prism/models/stories260K.gguf")));
        QVERIFY(copy(kModels + "tiny-qwen2-q8_0.gguf", at("prism/models/tiny-qwen2-q8_0.gguf")));
        QFile whole(kModels + "tiny-llama-f32.gguf");
        QVERIFY(whole.open(QIODevice::ReadOnly));
        QVERIFY(write_bytes(at("prism/models/truncated.gguf"), whole.read(5000)));
        QByteArray hostile("GGUF");
        hostile += QByteArray::fromHex(
            "03000000"
            "ffffffffffffff7f"
            "ffffffffffffff7f");
        QVERIFY(write_bytes(at("prism/models/hostile.gguf"), hostile));
        QVERIFY(write_bytes(at("prism/models/notes.txt"), "not a model"));
        // llama.cpp's cache: flat.
        QVERIFY(copy(kModels + "tiny-gemma3-q8_0.gguf", at("llama.cpp/tiny-gemma3-q8_0.gguf")));
        // The Hugging Face hub: snapshot files are links into blobs/, two revisions share them.
        const QString repo = at("hf/hub/models--org--SmolVLM-256M-Instruct-GGUF");
        QVERIFY(copy(kModels + "tiny-llama-f32.gguf", repo + "/blobs/aaa"));
        write_mmproj(repo + "/blobs/bbb", 64, 1);
        for (const char* rev : {"rev1", "rev2"}) {
            const QString snap = repo + "/snapshots/" + rev;
            QVERIFY(QDir().mkpath(snap));
            QVERIFY(QFile::link("../../blobs/aaa", snap + "/SmolVLM-256M-Instruct-Q8_0.gguf"));
            QVERIFY(
                QFile::link("../../blobs/bbb", snap + "/mmproj-SmolVLM-256M-Instruct-f16.gguf"));
        }
        // LM Studio: publisher/repo/file.
        QVERIFY(copy(kModels + "tiny-qwen3-f32.gguf",
                     at("lmstudio/models/pub/repo/tiny-qwen3-f32.gguf")));
        folders_ = {at("prism/models"), at("llama.cpp"), at("hf/hub"), at("lmstudio/models"),
                    at("does-not-exist")};
    }

    void scanReadsHeadersAndListsBrokenFiles() {
        const std::vector<ModelInfo> models = prism::ui::scan_model_folders(folders_);
        QStringList names;
        for (const ModelInfo& m : models) names << m.file_name;
        names.sort();
        QCOMPARE(names, (QStringList{"SmolVLM-256M-Instruct-Q8_0.gguf", "hostile.gguf",
                                     "mmproj-SmolVLM-256M-Instruct-f16.gguf", "stories260K.gguf",
                                     "tiny-gemma3-q8_0.gguf", "tiny-qwen2-q8_0.gguf",
                                     "tiny-qwen3-f32.gguf", "truncated.gguf"}));

        const ModelInfo* stories = find(models, "stories260K.gguf");
        QVERIFY(stories && !stories->broken);
        QCOMPARE(stories->name, QStringLiteral("stories260K"));  // general.name is just "llama"
        QCOMPARE(stories->architecture, QStringLiteral("llama"));
        QCOMPARE(stories->quantization,
                 QStringLiteral("F32"));  // no file_type: commonest tensor type
        QCOMPARE(stories->size_bytes, 1185376);
        QCOMPARE(stories->context_length, 2048);
        QCOMPARE(stories->embedding_length, 64);
        QVERIFY(!stories->is_mmproj && !stories->has_vision);
        QVERIFY(stories->mmproj_path.isEmpty());
        QVERIFY(stories->pairing_note.contains(QStringLiteral("no projector")));

        const ModelInfo* qwen = find(models, "tiny-qwen2-q8_0.gguf");
        QVERIFY(qwen && !qwen->broken);
        QCOMPARE(qwen->name, QStringLiteral("tiny-qwen2"));
        QCOMPARE(qwen->architecture, QStringLiteral("qwen2"));
        QCOMPARE(qwen->quantization, QStringLiteral("Q8_0"));
        QCOMPARE(qwen->context_length, 128);

        for (const char* bad : {"truncated.gguf", "hostile.gguf"}) {
            const ModelInfo* m = find(models, bad);
            QVERIFY(m && m->broken);
            QVERIFY2(m->error.contains(QString::fromLatin1(bad)), qPrintable(m->error));
        }

        const ModelInfo* smol = find(models, "SmolVLM-256M-Instruct-Q8_0.gguf");
        QVERIFY(smol && !smol->broken);
        QCOMPARE(QFileInfo(smol->mmproj_path).fileName(),
                 QStringLiteral("mmproj-SmolVLM-256M-Instruct-f16.gguf"));
        QVERIFY(smol->has_vision);
        QVERIFY(!smol->has_audio);
        const ModelInfo* proj = find(models, "mmproj-SmolVLM-256M-Instruct-f16.gguf");
        QVERIFY(proj && proj->is_mmproj);
        QCOMPARE(proj->architecture, QStringLiteral("clip"));
        QCOMPARE(proj->projector_type, QStringLiteral("idefics3"));
        QCOMPARE(proj->projection_width, 64);
        QCOMPARE(proj->quantization, QStringLiteral("F16"));
        QVERIFY(proj->has_vision);
    }

    // A model split into shards (tests/data/models/split, written by the gguf package) is one
    // entry, its first shard, named without the shard suffix, sized with every shard; a set
    // with a shard missing is listed broken, naming the missing shard.
    void splitModelIsListedOnceByItsFirstShard() {
        QTemporaryDir dir;
        const QString shard = QStringLiteral("tiny-llama-f32-%1-of-00003.gguf");
        qint64 bytes = 0;
        for (int k = 1; k <= 3; ++k) {
            const QString name = shard.arg(k, 5, 10, QLatin1Char('0'));
            QVERIFY(copy(kModels + "split/" + name, dir.filePath(name)));
            bytes += QFileInfo(dir.filePath(name)).size();
        }
        std::vector<ModelInfo> models = prism::ui::scan_model_folders({dir.path()});
        QCOMPARE(models.size(), std::size_t{1});
        QVERIFY2(!models[0].broken, qPrintable(models[0].error));
        QCOMPARE(models[0].file_name, shard.arg(1, 5, 10, QLatin1Char('0')));
        QCOMPARE(models[0].name, QStringLiteral("tiny-llama-f32"));
        QCOMPARE(models[0].architecture, QStringLiteral("llama"));
        QCOMPARE(models[0].size_bytes, bytes);

        const QString second = dir.filePath(shard.arg(2, 5, 10, QLatin1Char('0')));
        QVERIFY(QFile::remove(second));
        models = prism::ui::scan_model_folders({dir.path()});
        QCOMPARE(models.size(), std::size_t{1});
        QVERIFY(models[0].broken);
        QVERIFY2(models[0].error.startsWith(second + QStringLiteral(": shard 2 of 3")),
                 qPrintable(models[0].error));

        // Without the first shard the others are listed, each saying what is missing.
        QVERIFY(QFile::remove(dir.filePath(shard.arg(1, 5, 10, QLatin1Char('0')))));
        models = prism::ui::scan_model_folders({dir.path()});
        QCOMPARE(models.size(), std::size_t{1});
        QVERIFY(models[0].broken);
        QVERIFY2(models[0].error.contains(QStringLiteral("shard 1 of 3 of a split model is "
                                                         "missing")),
                 qPrintable(models[0].error));
    }

    void asyncScanMatchesTheSynchronousOne() {
        prism::ui::ModelCatalog catalog;
        catalog.setFolders(folders_);
        QSignalSpy finished(&catalog, &prism::ui::ModelCatalog::scanFinished);
        catalog.scan();
        QVERIFY(catalog.isScanning());
        QVERIFY(finished.wait(15000));
        QVERIFY(!catalog.isScanning());
        const auto sync = prism::ui::scan_model_folders(folders_);
        QCOMPARE(catalog.models().size(), sync.size());
        for (std::size_t i = 0; i < sync.size(); ++i)
            QCOMPARE(catalog.models()[i].path, sync[i].path);

        prism::ui::ModelListModel list(&catalog);
        QCOMPARE(list.count(), 7);  // projectors hidden
        QCOMPARE(
            list.data(list.index(list.count() - 1), prism::ui::ModelListModel::BrokenRole).toBool(),
            true);
        list.setIncludeProjectors(true);
        QCOMPARE(list.count(), 8);
        const QHash<int, QByteArray> roles = list.roleNames();
        for (const char* role :
             {"name", "path", "architecture", "quantization", "sizeBytes", "contextLength",
              "hasVision", "hasAudio", "mmprojPath", "broken", "error"})
            QVERIFY2(roles.values().contains(QByteArray(role)), role);
        const int row = list.rowOf(at("prism/models/stories260K.gguf"));
        QVERIFY(row >= 0);
        const QVariantMap stories = list.get(row);
        QCOMPARE(stories[QStringLiteral("contextLength")].toLongLong(), 2048);
        QCOMPARE(stories[QStringLiteral("architecture")].toString(), QStringLiteral("llama"));
    }

    void pairingPicksTheFittingBestNamedHighestPrecision() {
        QTemporaryDir dir;
        const QString text = dir.filePath("SmolVLM-256M-Instruct-Q8_0.gguf");  // n_embd 64
        QVERIFY(QFile::copy(kModels + "tiny-llama-f32.gguf", text));
        write_mmproj(dir.filePath("mmproj-SmolVLM-256M-Instruct-f32.gguf"), 96, 0);  // wrong width
        write_mmproj(dir.filePath("mmproj-SmolVLM-256M-Instruct-Q8_0.gguf"), 64, 7);
        write_mmproj(dir.filePath("mmproj-SmolVLM-256M-Instruct-f16.gguf"), 64, 1, false);
        write_mmproj(dir.filePath("mmproj-other-vision-f16.gguf"), 64, 1);  // unrelated name

        auto choose = [&] { return prism::ui::pair_mmproj(text); };
        auto chosen = [&] { return QFileInfo(choose().path).fileName(); };
        // The f16 one states its width only through its output tensor.
        QCOMPARE(chosen(), QStringLiteral("mmproj-SmolVLM-256M-Instruct-f16.gguf"));
        QVERIFY(choose().reason.contains(QStringLiteral("64")));
        QVERIFY(QFile::remove(dir.filePath("mmproj-SmolVLM-256M-Instruct-f16.gguf")));
        QCOMPARE(chosen(), QStringLiteral(
                               "mmproj-SmolVLM-256M-Instruct-Q8_0.gguf"));  // name before precision
        QVERIFY(QFile::remove(dir.filePath("mmproj-SmolVLM-256M-Instruct-Q8_0.gguf")));
        QCOMPARE(chosen(),
                 QStringLiteral("mmproj-other-vision-f16.gguf"));  // fits, so better than none
        QVERIFY(QFile::remove(dir.filePath("mmproj-other-vision-f16.gguf")));
        const auto none = choose();
        QVERIFY(none.path.isEmpty());
        QVERIFY2(none.reason.contains(QStringLiteral("64")) &&
                     none.reason.contains(QStringLiteral("96")),
                 qPrintable(none.reason));

        // A broken projector is named in the reason; a text model alone gets "no projector".
        QVERIFY(write_bytes(dir.filePath("mmproj-broken.gguf"), "GGUF"));
        QVERIFY2(choose().reason.contains(QStringLiteral("mmproj-broken.gguf cannot be read")),
                 qPrintable(choose().reason));
        QTemporaryDir alone;
        QVERIFY(QFile::copy(kModels + "tiny-qwen2-f32.gguf", alone.filePath("m.gguf")));
        QVERIFY(prism::ui::pair_mmproj(alone.filePath("m.gguf")).path.isEmpty());
        // Any clip GGUF counts as a projector, whatever its name.
        write_mmproj(alone.filePath("vision-encoder.gguf"), 32, 1, true,
                     true);  // tiny-qwen2: n_embd 32
        QCOMPARE(QFileInfo(prism::ui::pair_mmproj(alone.filePath("m.gguf")).path).fileName(),
                 QStringLiteral("vision-encoder.gguf"));
        prism::ui::ModelCatalog catalog;
        catalog.setFolders({alone.path()});
        const auto& models = catalog.scanNow();
        const ModelInfo* m = find(models, "m.gguf");
        QVERIFY(m && m->has_vision && m->has_audio);
        QCOMPARE(catalog.projectorsBeside(alone.filePath("m.gguf")).size(), 1);
        QCOMPARE(catalog.projectorsBeside(alone.filePath("m.gguf"))[0]
                     .toMap()[QStringLiteral("fits")]
                     .toBool(),
                 true);
        QCOMPARE(catalog.inspect(alone.filePath("m.gguf"))[QStringLiteral("hasVision")].toBool(),
                 true);

        // LLaVA's converter writes CLIP's own width (512) as clip.vision.projection_dim; the
        // projector's output tensor (64 wide, the text model's n_embd) is what must fit.
        QTemporaryDir llava;
        const QString vlm = QStringLiteral(PRISM_TEST_DATA_DIR "/vlm/llava/");
        QVERIFY(copy(vlm + "text.gguf", llava.filePath("llava-tiny.gguf")));
        QVERIFY(copy(vlm + "mmproj.gguf", llava.filePath("mmproj-llava-tiny.gguf")));
        QCOMPARE(
            QFileInfo(prism::ui::pair_mmproj(llava.filePath("llava-tiny.gguf")).path).fileName(),
            QStringLiteral("mmproj-llava-tiny.gguf"));
    }

    void nameWords() {
        QCOMPARE(prism::ui::model_name_words("mmproj-SmolVLM-256M-Instruct-Q8_0.gguf"),
                 (QStringList{"smolvlm", "256m", "instruct"}));
        QCOMPARE(prism::ui::model_name_words("Qwen2.5-Omni-3B-Q4_K_M.gguf"),
                 (QStringList{"qwen2", "5", "omni", "3b"}));
        QCOMPARE(prism::ui::model_name_words("mmproj-model-f16.gguf"), QStringList{});
    }

    void defaultFoldersFollowTheEnvironment() {
        const QByteArray saved[] = {qgetenv("XDG_DATA_HOME"), qgetenv("XDG_CACHE_HOME"),
                                    qgetenv("HF_HOME"), qgetenv("HOME")};
        qputenv("XDG_DATA_HOME", at("xdg-data").toUtf8());
        qputenv("XDG_CACHE_HOME", at("xdg-cache").toUtf8());
        qputenv("HF_HOME", at("hf-home").toUtf8());
        qputenv("HOME", at("home").toUtf8());
        const QStringList folders = prism::ui::default_model_folders();
        qputenv("XDG_DATA_HOME", saved[0]);
        qputenv("XDG_CACHE_HOME", saved[1]);
        qputenv("HF_HOME", saved[2]);
        qputenv("HOME", saved[3]);
        for (const QString& expected :
             {at("xdg-data/prism/models"), at("xdg-cache/llama.cpp"), at("hf-home/hub"),
              at("xdg-cache/huggingface/hub"), at("home/.lmstudio/models"),
              at("xdg-cache/lm-studio/models")})
            QVERIFY2(folders.contains(expected),
                     qPrintable(expected + " not in " + folders.join(", ")));
        QCOMPARE(folders.first(), at("xdg-data/prism/models"));
    }

    void demoModelIsShipped() {
        const QString path = prism::ui::demo_model_path();
        QVERIFY(!path.isEmpty());
        const ModelInfo demo = prism::ui::inspect_model_file(path);
        QVERIFY2(!demo.broken, qPrintable(demo.error));
        QCOMPARE(demo.architecture, QStringLiteral("llama"));
        QCOMPARE(demo.size_bytes, 1185376);
        QVERIFY(QFile::exists(QFileInfo(path).dir().filePath("PROVENANCE.md")));
    }
};

namespace prism::test {
int run_model_catalog_tests(int argc, char** argv) {
    ModelCatalogTest t;
    return QTest::qExec(&t, argc, argv);
}
}  // namespace prism::test

#include "test_model_catalog.moc"
