#include "scene_items.hpp"

#include <QQuickItem>
#include <QQuickWindow>
#include <QStringList>

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

}  // namespace prism::ui::test
