// The KV-cache shape read from a GGUF file's first bytes, against the engine's GGUF reader on
// the whole file, and the fit arithmetic.
#include <QFile>
#include <QTest>

#include "hub/fit_estimate.hpp"
#include "prism/gguf.hpp"
#include "ui/hub/hub_server.hpp"

namespace prism::test {

using ui::KvShape;
using ui::ProbeResult;

class FitEstimateTest : public QObject {
    Q_OBJECT

  private slots:
    void shapeMatchesTheEngineReader_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("llama") << "tests/data/models/tiny-llama-f32.gguf";
        QTest::newRow("qwen2") << "tests/data/models/tiny-qwen2-q8_0.gguf";
        QTest::newRow("qwen3") << "tests/data/models/tiny-qwen3-f32.gguf";
        QTest::newRow("gemma3") << "tests/data/models/tiny-gemma3-f32.gguf";
        QTest::newRow("demo") << "resources/models/stories260K.gguf";
        QTest::newRow("published") << "tests/data/published-models/llama-2-tiny-random.gguf";
    }
    void shapeMatchesTheEngineReader() {
        QFETCH(QString, file);
        const QString path = source_file(file);
        const gguf::File reference = gguf::File::open(path.toStdString());
        const std::string arch = reference.get<std::string>("general.architecture");
        const auto n_head = reference.get_integer<std::int64_t>(arch + ".attention.head_count");
        const KvShape expected{
            reference.get_integer<std::int64_t>(arch + ".block_count"),
            reference.contains(arch + ".attention.head_count_kv")
                ? reference.get_integer<std::int64_t>(arch + ".attention.head_count_kv")
                : n_head,
            reference.contains(arch + ".attention.key_length")
                ? reference.get_integer<std::int64_t>(arch + ".attention.key_length")
                : reference.get_integer<std::int64_t>(arch + ".embedding_length") / n_head};

        QFile in(path);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray whole = in.read(static_cast<qint64>(reference.data_offset()));
        KvShape shape;
        QString error;
        QCOMPARE(ui::probe_gguf_kv_shape(whole, shape, error), ProbeResult::Done);
        QCOMPARE(shape.n_layer, expected.n_layer);
        QCOMPARE(shape.n_head_kv, expected.n_head_kv);
        QCOMPARE(shape.head_dim, expected.head_dim);

        // Every shorter prefix asks for more; none is mistaken for a whole header.
        for (qsizetype cut = 0; cut < whole.size();
             cut += std::max<qsizetype>(1, whole.size() / 97)) {
            KvShape partial;
            const ProbeResult result = ui::probe_gguf_kv_shape(whole.left(cut), partial, error);
            if (result == ProbeResult::Done) {
                // Allowed only once every key the shape needs has been read.
                QCOMPARE(partial.n_layer, expected.n_layer);
            } else {
                QCOMPARE(result, ProbeResult::NeedMoreBytes);
            }
        }
    }

    void otherFilesAreNotGguf() {
        KvShape shape;
        QString error;
        QCOMPARE(ui::probe_gguf_kv_shape("PK\x03\x04 not a model", shape, error),
                 ProbeResult::NotGguf);
        QCOMPARE(error, QStringLiteral("not a GGUF file"));
        QFile bad(source_file(QStringLiteral("tests/data/gguf-bad/version1.gguf")));
        QVERIFY(bad.open(QIODevice::ReadOnly));
        QCOMPARE(ui::probe_gguf_kv_shape(bad.readAll(), shape, error), ProbeResult::NotGguf);
        QVERIFY2(error.contains(QStringLiteral("version 1")), qPrintable(error));
    }

    void kvCacheIsTwoF16TensorsPerLayer() {
        // SmolLM2-135M: 30 layers, 3 KV heads of 64; at 2048 tokens 2*30*3*64*2048*2 bytes.
        const KvShape smollm{30, 3, 64};
        QCOMPARE(ui::kv_cache_bytes(smollm, 2048), std::uint64_t{47185920});
        const ui::FitEstimate fit =
            ui::estimate_fit(100'000'000, 20'000'000, smollm, 2048, 167'185'920);
        QCOMPARE(fit.needed, std::uint64_t{167185920});
        QVERIFY(fit.fits);
        QVERIFY(!ui::estimate_fit(100'000'000, 20'000'000, smollm, 2048, 167'185'919).fits);
        QVERIFY(!ui::estimate_fit(1, 0, smollm, 16, 0).fits);  // unknown device memory
    }
};

int run_fit_estimate_tests(int argc, char** argv) {
    FitEstimateTest test;
    return QTest::qExec(&test, argc, argv);
}

}  // namespace prism::test

#include "test_fit_estimate.moc"
