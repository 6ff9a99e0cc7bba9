#include "scene_items.hpp"

#include <QAccessible>
#include <QQuickItem>
#include <QQuickWindow>
#include <QStringList>
#include <algorithm>
#include <iterator>

namespace prism::ui::test {
namespace {

void collect(QQuickItem* item, const QString& name, QList<QQuickItem*>& out) {
    if (item->objectName() == name) out.append(item);
    for (QQuickItem* child : item->childItems()) collect(child, name, out);
}

}  // namespace

QList<QQuickItem*> items_named(QQuickWindow* window, const QString& name) {
    QList<QQuickItem*> out;
    collect(window->contentItem(), name, out);
    return out;
}

QStringList visible_texts(QQuickWindow* window, const QString& name) {
    QStringList texts;
    for (QQuickItem* item : items_named(window, name))
        if (item->isVisible()) texts.append(item->property("text").toString());
    return texts;
}

namespace {

QString rendered_text(QQuickItem* text_edit) {
    const int length = text_edit->property("length").toInt();
    QString text;
    QMetaObject::invokeMethod(text_edit, "getText", Q_RETURN_ARG(QString, text), Q_ARG(int, 0),
                              Q_ARG(int, length));
    return text;
}

}  // namespace

QString visible_message_text(QQuickWindow* window) {
    QString all;
    for (QQuickItem* item : items_named(window, QStringLiteral("messageText"))) {
        if (item->isVisible()) all += rendered_text(item) + u'\n';
    }
    return all;
}

namespace {

bool derives_from(const QMetaObject* meta, const char* class_name) {
    for (; meta != nullptr; meta = meta->superClass())
        if (qstrcmp(meta->className(), class_name) == 0) return true;
    return false;
}

}  // namespace

void find_unnamed_controls(QQuickItem* item, int& controls, QStringList& unnamed) {
    if (!item->isVisible()) return;
    static constexpr const char* kControls[] = {"QQuickAbstractButton", "QQuickTextField",
                                                "QQuickTextArea",       "QQuickComboBox",
                                                "QQuickSpinBox",        "QQuickSlider"};
    const QMetaObject* meta = item->metaObject();
    if (std::any_of(std::begin(kControls), std::end(kControls),
                    [&](const char* c) { return derives_from(meta, c); })) {
        ++controls;
        QAccessibleInterface* iface = QAccessible::queryAccessibleInterface(item);
        if (iface == nullptr || iface->text(QAccessible::Name).trimmed().isEmpty())
            unnamed << QString::fromLatin1(meta->className()) + '/' + item->objectName();
    }
    for (QQuickItem* child : item->childItems()) find_unnamed_controls(child, controls, unnamed);
}

}  // namespace prism::ui::test
